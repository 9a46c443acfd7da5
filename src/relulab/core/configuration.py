"""Config validation against the JSON schema, with defaults filled in and one clear message per error."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml


class ConfigError(ValueError):
    """The config breaks the schema; the message names the key, the bad value and what is allowed."""


def _with_defaults(validator_class):
    validate_props = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for key, sub in properties.items():
                if "default" in sub:
                    instance.setdefault(key, sub["default"])
        yield from validate_props(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


DefaultFillingValidator = _with_defaults(jsonschema.Draft7Validator)


def key_path(error: jsonschema.ValidationError) -> str:
    parts = ""
    for p in error.absolute_path:
        parts += f"[{p}]" if isinstance(p, int) else (f".{p}" if parts else str(p))
    return parts or "(top level)"


def describe(error: jsonschema.ValidationError) -> str:
    """One line: which key, what value, and what the schema allows."""
    where = key_path(error)
    sch = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        allowed = sorted(sch.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        prefix = f"{where}." if where != "(top level)" else ""
        return f"config key {prefix}{extra[0]!s}: unknown key; allowed keys here: {', '.join(allowed)}"
    if error.validator == "enum":
        return f"config key {where}: {error.instance!r} is not allowed; allowed values: {', '.join(map(str, error.validator_value))}"
    if error.validator == "pattern" and sch.get("description"):
        return f"config key {where}: {error.instance!r} is not valid; expected {sch['description']}"
    if error.validator == "type":
        return f"config key {where}: {error.instance!r} is not of type {error.validator_value}"
    return f"config key {where}: {error.message}"


def validate(config: dict, schema: dict) -> dict:
    """Validate in place, filling defaults; raise ConfigError naming the first offending key."""
    errors = sorted(DefaultFillingValidator(schema).iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ConfigError(describe(errors[0]))
    return config


def load_schema(path) -> dict:
    return yaml.safe_load(Path(path).read_text())


def load(path, schema_path) -> dict:
    """Read a YAML config file and validate it."""
    return validate(yaml.safe_load(Path(path).read_text()) or {}, load_schema(schema_path))
