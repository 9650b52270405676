"""The lint `make test` runs, also in the fast suite so a change that breaks it is seen before it lands."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["planner", "api", "maps", "jemput", "console", "tests", "bench", "scripts"]


def _tool(name: str) -> str:
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]' (make test installs it)")
    return found


def test_ruff_finds_nothing() -> None:
    run = subprocess.run([_tool("ruff"), "check", "--no-cache", *PACKAGES], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_strict_on_planner_finds_nothing() -> None:
    """`[tool.mypy]` in pyproject.toml: strict on planner/."""
    run = subprocess.run([_tool("mypy"), "--cache-dir", str(ROOT / ".mypy_cache")], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr


def test_no_planner_module_is_exempt_from_strict_typing() -> None:
    """Every module of planner/ is checked strictly: no override turns errors off (issue 18 typed the last ones)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["mypy"]["strict"] is True and config["tool"]["mypy"]["files"] == ["planner"]
    loose = [o for o in config["tool"]["mypy"].get("overrides", []) if o.get("ignore_errors")]
    assert not loose, f"modules exempt from mypy: {loose}"
