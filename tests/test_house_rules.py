"""Rules of the house that keep the code honest (DESIGN.md, Code layout)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ("django", "wagtail", "rest_framework", "ninja")


def _pure_modules() -> list[Path]:
    lib = [p for p in (ROOT / "thidua" / "lib").rglob("*.py") if "tests" not in p.parts]
    rules = list((ROOT / "thidua").glob("*/rules.py"))
    return sorted(lib + rules)


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_there_are_pure_modules_to_check() -> None:
    names = {p.name for p in _pure_modules()}
    assert {"rules.py", "text.py", "dates.py"} <= names


def test_rules_and_lib_modules_import_no_framework() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_roots(path) & set(FRAMEWORKS))
        for path in _pure_modules()
        if _imported_roots(path) & set(FRAMEWORKS)
    }
    assert not offenders, f"pure modules importing a framework: {offenders}"


def test_rules_modules_import_only_the_standard_library_and_other_pure_modules() -> None:
    import sys

    allowed_local = {"thidua"}
    offenders = {}
    for path in _pure_modules():
        foreign = {
            root
            for root in _imported_roots(path)
            if root not in sys.stdlib_module_names and root not in allowed_local and root != "__future__"
        }
        # pgprobe only answers `make test`'s question "is PostgreSQL up?"; psycopg is its point.
        if path.name == "pgprobe.py":
            foreign.discard("psycopg")
        # The encrypted ballots need the group's operations, which the standard library lacks; rbcl
        # binds them from libsodium and is the package's only dependency.
        if path.parent.name == "elgamal":
            foreign.discard("rbcl")
        if foreign:
            offenders[str(path.relative_to(ROOT))] = sorted(foreign)
    assert not offenders, offenders
