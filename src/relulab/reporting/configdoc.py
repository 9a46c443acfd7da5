"""The configuration of a build, folded and annotated: every key with its value, its default where the build
changed it, and the description from config/schema.yaml (else what the schema allows)."""

from __future__ import annotations

import json

from relulab.reporting.markdown import cell


def resolve(node: dict, schema: dict) -> dict:
    """A schema node with a local `$ref` ('#/definitions/x') merged in (the node's own keys win)."""
    ref = node.get("$ref", "")
    if ref.startswith("#/"):
        target = schema
        for part in ref[2:].split("/"):
            target = target.get(part, {})
        return {**resolve(target, schema), **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def allowed(node: dict, schema: dict) -> str:
    """What the schema allows, where it gives no description: type, range, choices."""
    node = resolve(node, schema)
    if node.get("type") == "array" and node.get("items"):
        inner = allowed(node["items"], schema)
        return "list" + (f" of {inner}" if inner else "")
    if "enum" in node:
        return "one of " + ", ".join(map(str, node["enum"]))
    text = str(node.get("type", ""))
    bounds = [f"≥ {node['minimum']}" if "minimum" in node else "", f"≤ {node['maximum']}" if "maximum" in node else ""]
    bounds = " ".join(b for b in bounds if b)
    return f"{text} {bounds}".strip() if text else ""


def flat(value) -> str:
    """A value as compact JSON-like text (lists inline)."""
    return json.dumps(value, default=str, ensure_ascii=False)


def config_rows(config: dict, schema: dict, node: dict | None = None, prefix: str = "") -> list[tuple[str, str, str]]:
    """(dotted key, value, annotation) for every leaf of config, nested sections flattened."""
    node = resolve(node if node is not None else schema, schema)
    props = node.get("properties", {})
    rows = []
    for key, value in config.items():
        sub = resolve(props.get(key, {}), schema)
        name = prefix + key
        if isinstance(value, dict) and (sub.get("properties") or not sub):
            rows += config_rows(value, schema, sub, name + ".")
            continue
        text = sub.get("description") or allowed(sub, schema)
        if "default" in sub and sub["default"] != value:
            text = (text + "; " if text else "") + f"default {flat(sub['default'])}"
        rows.append((name, flat(value), text))
    return rows


def config_part(config: dict, schema: dict) -> str:
    """A folded block: one table row per configuration key (value and annotation)."""
    rows = config_rows(config, schema)
    changed = sum("default " in r[2] for r in rows)
    lines = ["| Key | Value | Meaning (from `config/schema.yaml`) |", "|:----|:----|:----------|"]
    lines += [f"| `{k}` | `{v.replace('|', chr(92) + '|')}` | {cell(t) if t else '—'} |" for k, v, t in rows]
    return (f'<details class="config-details">\n<summary>All {len(rows)} configuration keys of this build, '
            f"annotated ({changed} differ from the schema's default)</summary>\n\n"
            + "\n".join(lines) + "\n\n: The configuration of this build: each key, its value and its meaning; "
            "where the value is not the default, the default. {#tbl-configuration}\n\n</details>")
