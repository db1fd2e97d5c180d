"""The apps of thidua stand in one order, and each imports only the apps before it (DESIGN.md, Code
layout): an app's code can be read, tested and changed knowing only what is below it.

Imports under `if TYPE_CHECKING:` and string references such as ForeignKey("years.EmulationYear") do not
count: they tie nothing at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

THIDUA = Path(__file__).resolve().parent.parent / "thidua"

# The documented order (DESIGN.md and docs/decisions.md, "The order of the apps"). `web` is the request
# plumbing, placed where its imports put it; `home` holds the pages that span every app (home with its
# to-dos, the group and organization pages), `demo` the loader of the whole demo, `backups` the archive.
ORDER = [
    "lib",
    "audit",
    "web",
    "accounts",
    "organizations",
    "years",
    "agreements",
    "assessments",
    "conferences",
    "documents",
    "awards",
    "news",
    "api",
    "home",
    "backups",
    "demo",
]


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imported_apps(path: Path) -> set[str]:
    """The thidua apps a module imports at run time, wherever in the module the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_lines(tree)
    names: list[str] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            if node.module == "thidua":
                names.extend(f"thidua.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return {name.split(".")[1] for name in names if name.startswith("thidua.") and name.count(".") >= 1}


def violations() -> list[str]:
    found = []
    for path in sorted(THIDUA.rglob("*.py")):
        relative = path.relative_to(THIDUA)
        # A test may build its data with the apps above its own (a whole year); the app's code may not.
        if len(relative.parts) < 2 or "migrations" in relative.parts or "tests" in relative.parts:
            continue
        app = relative.parts[0]
        for other in sorted(imported_apps(path) - {app}):
            if app not in ORDER or other not in ORDER:
                found.append(f"{relative}: {app} or {other} is missing from ORDER")
            elif ORDER.index(other) > ORDER.index(app):
                found.append(f"{relative}: {app} imports {other}, which stands after it")
    return found


def test_every_app_is_in_the_documented_order() -> None:
    apps = {p.name for p in THIDUA.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps <= set(ORDER), sorted(apps - set(ORDER))


def test_no_app_imports_an_app_that_stands_after_it() -> None:
    assert violations() == []


def test_the_walk_sees_imports_inside_functions_and_ignores_type_checking_ones(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from thidua.news.models import ArticlePage\n"
        "def f():\n    from thidua.awards import services\n"
        "import thidua.lib.text\n",
        encoding="utf-8",
    )
    assert imported_apps(module) == {"awards", "lib"}
