"""Config validation against the JSON schema, with defaults filled in and one clear message per error."""

from __future__ import annotations

import math
from pathlib import Path

import jsonschema
import yaml

from .config_rules import ConfigError, check, data_problem, export_data_dir  # noqa: F401 (used by common.smk)


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
    """Coerce, validate in place filling defaults, check cross-key rules and sizes; raise ConfigError naming the key.

    Coercion is explicit and exact: a whole float where an integer is expected (`seeds: 3.0`,
    `--config seeds=1e3`) becomes that integer, and a string where a number, integer or boolean is
    expected (nested `--config 'surfaces={"steps": 5000}'` values arrive as strings) is read as YAML;
    anything else is left for the schema to reject with the key's name.
    """
    coerce(config, schema, schema)
    errors = sorted(DefaultFillingValidator(schema).iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ConfigError(describe(errors[0]))
    check(config)
    return config


def _resolve(sub: dict, root: dict) -> dict:
    ref = sub.get("$ref", "")
    if ref.startswith("#/definitions/"):
        return {**root["definitions"][ref.rsplit("/", 1)[1]], **{k: v for k, v in sub.items() if k != "$ref"}}
    return sub


def _parse(text: str):
    """A command-line string as a value: a number (also `1e12`, which YAML 1.1 leaves a string), else YAML."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _coerce_value(value, sub: dict, root: dict):
    sub = _resolve(sub, root)
    kind = sub.get("type")
    if isinstance(value, str) and kind in ("integer", "number", "boolean", "array", "object"):
        parsed = _parse(value)
        if kind == "boolean" and isinstance(parsed, bool):
            return parsed
        if kind in ("integer", "number") and isinstance(parsed, (int, float)) and not isinstance(parsed, bool):
            value = parsed
        elif kind in ("array", "object") and isinstance(parsed, (list, dict)):
            value = parsed
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # the schema then names the key: 'inf' is not of type number
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "array" and isinstance(value, list) and isinstance(sub.get("items"), dict):
        return [_coerce_value(v, sub["items"], root) for v in value]
    if kind == "object" and isinstance(value, dict):
        coerce(value, sub, root)
    return value


def coerce(instance: dict, schema: dict, root: dict) -> dict:
    """Coerce the values of `instance` in place to the types `schema` names (see validate)."""
    props = schema.get("properties", {})
    for key, value in list(instance.items()):
        if key in props:
            instance[key] = _coerce_value(value, props[key], root)
    return instance


def load_schema(path) -> dict:
    return yaml.safe_load(Path(path).read_text())


def read_yaml(path) -> dict:
    """A config file as a dict: an empty file is {}; a missing file or a YAML error is one line naming the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path}: no such file")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"config file {path}{where}: not valid YAML ({problem})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}: expected keys at the top level, got a {type(data).__name__}")
    return data


def merge(base: dict, override: dict) -> dict:
    """Snakemake's merge of config files: nested dicts are merged key by key, other values replaced."""
    out = dict(base)
    for key, value in override.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load(paths, schema_path) -> dict:
    """Read one or more YAML config files (later ones override earlier ones) and validate the result."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    config: dict = {}
    for path in paths:
        config = merge(config, read_yaml(path))
    return validate(config, load_schema(schema_path))
