"""`python -m thidua.lib.depaudit requirements.lock`: known vulnerabilities of the locked packages.

`make check` runs it. It wraps pip-audit for one reason: when the vulnerability service cannot be reached
(no network, or a package index that mirrors the packages but not PyPI's JSON API), pip-audit marks every
package "could not be audited" and still says "No known vulnerabilities found" with exit status 0. An
audit that looked at nothing must not read as a clean one, so:

- a known vulnerability fails, always;
- packages that could not be audited fail the run under CI (CI set), where the check must be real, and
  elsewhere print a warning naming the reason, so a developer offline can still run `make check`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def audit(lock: str) -> dict[str, Any] | str:
    """pip-audit's JSON report of ``lock``, or why there is none."""
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        "--requirement",
        lock,
        "--disable-pip",  # the lock pins every package with hashes: nothing to resolve or install
        "--require-hashes",
        "--progress-spinner",
        "off",
        "--format",
        "json",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603 — our venv's pip-audit, fixed arguments  # nosec B603
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"pip-audit did not run: {error}"
    try:
        report: dict[str, Any] = json.loads(result.stdout)
    except json.JSONDecodeError:
        return f"pip-audit gave no report (exit {result.returncode}): {result.stderr.strip()[-2000:]}"
    return report


def main(argv: list[str]) -> int:
    lock = argv[0] if argv else "requirements.lock"
    under_ci = bool(os.environ.get("CI"))
    report = audit(lock)
    if isinstance(report, str):
        print(f"pip-audit: {report}")
        return 1 if under_ci else 0
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(f"pip-audit: {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    audited = len(dependencies) - len(skipped)
    print(
        f"pip-audit: {audited} of {len(dependencies)} locked packages audited, {len(vulnerable)} vulnerable."
    )
    if skipped:
        print(
            f"pip-audit: {len(skipped)} packages could not be audited, e.g. {skipped[0]['skip_reason']!r}. "
            "The vulnerability service (PyPI's JSON API) was not reachable from here"
            + ("; CI must audit every package." if under_ci else ": not counted as a failure outside CI.")
        )
    if vulnerable:
        return 1
    return 1 if skipped and under_ci else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
