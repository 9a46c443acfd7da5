"""Rendering: the assembled Quarto project to ONE self-contained HTML file (Quarto if installed, else pandoc)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

MIN_PANDOC = (3, 0)  # Figure blocks and table-caption attributes need 3.0 (--embed-resources needs 2.19)
_SHORTCODE = re.compile(r"(?<!\{)\{\{<\s*(include|var)\s+(.*?)\s*>\}\}(?!\})")
_ESCAPED = re.compile(r"\{\{\{<(.*?)>\}\}\}")
_EXTERNAL = [
    re.compile(r"""<(?:img|script|iframe|audio|video|source|embed)\b[^>]*\ssrc\s*=\s*["']?(?:https?:)?//""", re.I),
    re.compile(r"""<link\b[^>]*\shref\s*=\s*["']?(?:https?:)?//""", re.I),
    re.compile(r"""url\(\s*["']?(?:https?:)?//""", re.I),
    re.compile(r"""@import\s+(?:url\()?\s*["']?(?:https?:)?//""", re.I),
]


class RenderError(RuntimeError):
    """Rendering failed; the message carries the renderer's error output."""


# warnings that name something the report refers to but does not define: ours (expand_shortcodes, relulab.lua)
# and Quarto's ("WARNING ... Unable to resolve crossref @fig-x")
_UNRESOLVED = [
    (re.compile(r"unknown variable '([^']+)'"), "variable {}"),
    (re.compile(r"unresolved cross-reference @(\S+)"), "cross-reference @{}"),
    (re.compile(r"unresolved citation @(\S+)"), "citation @{}"),
    (re.compile(r"[Uu]nable to resolve crossref @(\S+)"), "cross-reference @{}"),
]


def unresolved(warnings: list[str]) -> list[str]:
    """The unresolved variables and references named in render warnings, each once, in order."""
    out = []
    for w in warnings:
        for rx, label in _UNRESOLVED:
            out += [label.format(m.group(1).rstrip(".,;")) for m in rx.finditer(w)]
    return list(dict.fromkeys(out))


_MARKERS = re.compile(r"\?var:([\w.-]+)|\?@([\w:-]+)")


def markers(html: str) -> list[str]:
    """Unresolved-item markers left in the rendered HTML (`?var:x`, `?@fig-x`), as warnings: a renderer that
    does not report them on stderr (Quarto's var) is caught all the same."""
    return [f"unknown variable '{m.group(1)}'" if m.group(1) else f"unresolved cross-reference @{m.group(2)}"
            for m in _MARKERS.finditer(html)]


def strict_error(warnings: list[str]) -> RenderError:
    """One message naming every unresolved variable/reference, then any other warning."""
    names = unresolved(warnings)
    other = [w for w in warnings if not any(rx.search(w) for rx, _ in _UNRESOLVED)]
    parts = []
    if names:
        parts.append(f"strict render: {len(names)} unresolved variable(s)/reference(s) in the report: "
                     + ", ".join(names))
    if other:
        parts.append("strict render: renderer warnings:\n" + "\n".join(other))
    return RenderError("\n".join(parts))


def lookup(variables: dict, key: str):
    """Quarto's `var` lookup: a dotted key indexes nested maps; None where absent."""
    node = variables
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def expand_shortcodes(text: str, base: Path, project: Path, variables: dict, warnings: list[str],
                      _stack: tuple[Path, ...] = ()) -> str:
    """Expand `{{< include f >}}` (relative to the including file, or to the project if it starts with /)
    and `{{< var key >}}` as Quarto does; `{{{< x >}}}` stays literal as `{{< x >}}`."""
    def sub(m: re.Match) -> str:
        kind, arg = m.group(1), m.group(2).strip().strip("\"'")
        if kind == "var":
            value = lookup(variables, arg)
            if value is None:
                warnings.append(f"unknown variable {arg!r}")
                return f"?var:{arg}"
            return str(value)
        path = (project / arg.lstrip("/")) if arg.startswith("/") else (base / arg)
        path = path.resolve()
        if path in _stack:
            raise RenderError(f"include cycle: {' -> '.join(map(str, _stack + (path,)))}")
        if not path.is_file():
            raise RenderError(f"include file not found: {arg} (from {base})")
        return expand_shortcodes(path.read_text(), path.parent, project, variables, warnings, _stack + (path,))
    out = _SHORTCODE.sub(sub, text)
    return _ESCAPED.sub(lambda m: "{{<" + m.group(1) + ">}}", out) if not _stack else out


def external_resources(html: str) -> list[str]:
    """Snippets of the HTML that would make a browser fetch something from the network."""
    return [m.group(0)[:120] for rx in _EXTERNAL for m in rx.finditer(html)]


def pandoc_path() -> str:
    """The pandoc binary shipped with pypandoc-binary (or on PATH), checked to be >= MIN_PANDOC."""
    try:
        import pypandoc
        exe = pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        exe = shutil.which("pandoc")
    if not exe:
        raise RenderError("neither quarto nor pandoc found; install pypandoc-binary")
    first = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout.split("\n")[0]
    version = tuple(int(x) for x in re.findall(r"\d+", first)[:2])
    if version < MIN_PANDOC:
        raise RenderError(f"{first} is too old; relulab.reporting.render needs pandoc >= {'.'.join(map(str, MIN_PANDOC))}")
    return exe


def _run(cmd: list[str], cwd: Path) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RenderError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stderr


def render_pandoc(build_dir: Path, html_out: Path) -> list[str]:
    """Expand shortcodes in Python, then pandoc with report/pandoc.yaml and filters/relulab.lua."""
    var_file = build_dir / "_variables.yml"
    variables = (yaml.safe_load(var_file.read_text()) or {}) if var_file.exists() else {}
    warnings: list[str] = []
    text = expand_shortcodes((build_dir / "index.qmd").read_text(), build_dir, build_dir, variables, warnings)
    (build_dir / "_expanded.md").write_text(text)
    stderr = _run([pandoc_path(), "--defaults", "pandoc.yaml", "_expanded.md", "-o", str(html_out.resolve())],
                  build_dir)
    return warnings + [line for line in stderr.splitlines() if line.strip()]


def render_quarto(build_dir: Path, html_out: Path) -> list[str]:
    """`quarto render` of the project; its single index.html is moved to html_out."""
    stderr = _run(["quarto", "render", ".", "--to", "html"], build_dir)
    shutil.move(build_dir / "index.html", html_out)
    return [line for line in stderr.splitlines() if "WARN" in line]


def render(build_dir, out_html, use_quarto: bool | None = None, strict: bool = True) -> list[str]:
    """Render build_dir/index.qmd to out_html atomically (a failed render leaves no output); returns warnings.

    use_quarto: None picks Quarto when it is on PATH. strict (the default, and the pipeline's): any warning is an
    error, with one message naming every unknown `{{< var >}}` and unresolved `@ref`; strict=False renders them
    as markers (`?var:x`, `?@fig-x`) and returns the warnings. The result is checked to fetch nothing from the
    network."""
    build_dir, out_html = Path(build_dir), Path(out_html)
    if use_quarto is None:
        use_quarto = shutil.which("quarto") is not None
    out_html.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_html.parent, prefix=".render-", suffix=".html")
    os.close(fd)
    tmp = Path(tmp)
    try:
        warnings = (render_quarto if use_quarto else render_pandoc)(build_dir, tmp)
        if strict and (warnings or markers(tmp.read_text())):
            raise strict_error(warnings + markers(tmp.read_text()))
        external = external_resources(tmp.read_text())
        if external:
            raise RenderError(f"the HTML is not self-contained; it refers to: {external}")
        tmp.chmod(0o644)  # mkstemp makes it private; the report is for reading
        os.replace(tmp, out_html)
    finally:
        tmp.unlink(missing_ok=True)
    return warnings
