"""The package's layout is its architecture: these checks keep it so (sizes, rooms, import direction).

core/ is what every study shares, regions/ the exact engine and its CLI, studies/<family>/ one folder
per experiment family with the same rooms, reporting/ the verdicts and the report. Imports point down:
reporting and studies use core and the engine; a study never imports another study; core imports
neither; nothing imports in a cycle.
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "src" / "relulab"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
ROOMS = ("claims.py", "figures.py", "manifest.py")
LAYERS = {"core": 0, "regions": 1, "studies": 2, "reporting": 3, "cli": 4}


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = path.relative_to(PKG.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def families() -> list[str]:
    """Every family with a rules file (workflow/rules/<family>.smk, less the shared ones)."""
    shared = {"common", "claims", "report"}
    return sorted(p.stem for p in (REPO / "workflow" / "rules").glob("*.smk") if p.stem not in shared)


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """relulab modules that module `name` imports (at any depth, lazily or not), resolved to known names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                head = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(head + ([base] if base else []))
            # `from pkg import sub` imports the submodule; `from mod import name` imports mod
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name and t.startswith("relulab"):
                found.add(t)
    return found


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imported(name, path, set(mods)) for name, path in mods.items()}


def layer(name: str) -> tuple[int, str]:
    """(rank, owner): rank of the module's top folder; owner is the study for studies.<family>.*"""
    parts = name.split(".")
    top = parts[1] if len(parts) > 1 else "cli"
    owner = ".".join(parts[:3]) if top == "studies" and len(parts) > 2 else top
    return LAYERS.get(top, LAYERS["cli"]), owner


def test_top_level_holds_at_most_three_files():
    assert len(list(PKG.glob("*.py"))) <= 3, sorted(p.name for p in PKG.glob("*.py"))


@pytest.mark.parametrize("family", families())
def test_one_hop_from_rules_to_study_to_report(family):
    study = PKG / "studies" / family
    assert study.is_dir(), f"workflow/rules/{family}.smk has no src/relulab/studies/{family}/"
    missing = [room for room in ROOMS if not (study / room).is_file()]
    assert not missing, f"studies/{family}/ lacks {missing}"
    assert (REPO / "report" / "families" / f"{family}.qmd").is_file()


def test_every_study_folder_has_a_rules_file():
    studies = sorted(p.name for p in (PKG / "studies").iterdir() if (p / "__init__.py").is_file())
    assert studies == families()


def test_module_and_function_sizes():
    too_long = []
    for name, path in modules().items():
        text = path.read_text()
        if text.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"module {name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            numba = any("njit" in ast.unparse(d) or "jit(" in ast.unparse(d) for d in node.decorator_list)
            n = node.end_lineno - node.lineno + 1
            if n > MAX_FUNCTION_LINES and not numba:
                too_long.append(f"function {name}.{node.name}: {n} lines")
    assert not too_long, "\n".join(too_long)


def test_imports_point_down_and_studies_stay_apart():
    wrong = []
    for name, deps in graph().items():
        rank, owner = layer(name)
        for dep in deps:
            dep_rank, dep_owner = layer(dep)
            if dep_rank > rank or (dep_rank == rank and rank == LAYERS["studies"] and dep_owner != owner):
                wrong.append(f"{name} imports {dep}")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles():
    g = graph()
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(node, stack):
        state[node] = 1
        for dep in sorted(g.get(node, ())):
            if state.get(dep) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(dep):] + [dep]))
            if dep not in state:
                visit(dep, stack + [dep])
        state[node] = 2

    for node in sorted(g):
        if node not in state:
            visit(node, [node])


def test_the_checks_see_the_package():
    """The checks above are not vacuous: they find the modules, the families and real imports."""
    g = graph()
    assert {"surfaces", "regions", "gradients", "images", "second_order"} <= set(families())
    assert "relulab.core.models" in g["relulab.studies.surfaces.experiments"]
    assert "relulab.regions.engine" in g["relulab.regions"]
