"""The bad-input corpus (tests/data/bad): every case gets exactly the answer in its expected.txt.

Each folder holds a scenario (scenario.yaml or .json) and the files it names, as a coordinator's
office would send them; expected.txt is the validator's whole report (every error and warning with
file, row, column, value and reason, then the summary), reviewed by hand. A case with an error must
not load (nothing half-loaded); a warning-only case loads. `jemput validate` prints the same lines
and exits 1 exactly on an error; tests/api/test_bad_corpus_http.py uploads every case to the server. The inputs are written by
scripts/make_bad_corpus.py and the older cases by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from jemput.cli import app
from planner.io.load import validate_scenario

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
SCENARIO = "<scenario>"
CASE = "<case folder>"


def case_dirs() -> list[Path]:
    return sorted(d for d in BAD.iterdir() if d.is_dir())


def scenario_file(folder: Path) -> Path:
    return next(folder / n for n in ("scenario.yaml", "scenario.json") if (folder / n).is_file())


def answer(folder: Path) -> str:
    """The validator's report for a case, with the scenario file's path written as <scenario>
    and the case's folder as <case folder> (the answer does not depend on where the repository is)."""
    path = scenario_file(folder)
    scenario, report = validate_scenario(path)
    assert (scenario is None) == (report.error_count > 0), "a case loads exactly when it has no error"
    return report.format().replace(str(path), SCENARIO).replace(str(folder.resolve()), CASE)


def test_the_corpus_has_at_least_sixty_cases() -> None:
    assert len(case_dirs()) >= 60


@pytest.mark.parametrize("folder", case_dirs(), ids=lambda d: d.name)
def test_case_gets_exactly_its_expected_answer(folder: Path) -> None:
    expected = (folder / "expected.txt").read_text(encoding="utf-8").rstrip("\n")
    assert answer(folder) == expected


@pytest.mark.parametrize("folder", case_dirs(), ids=lambda d: d.name)
def test_jemput_validate_prints_the_answer_and_exits_1_on_an_error(folder: Path) -> None:
    expected = (folder / "expected.txt").read_text(encoding="utf-8").rstrip("\n").splitlines()
    path = scenario_file(folder)
    r = CliRunner().invoke(app, ["validate", str(path)], terminal_width=400)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception  # no traceback
    printed = r.output.replace(str(path), SCENARIO).replace(str(folder.resolve()), CASE).splitlines()
    if expected == ["no problems"]:  # a case read right: the summary instead of a report
        assert r.exit_code == 0 and "sites" in r.output and ": error: " not in r.output and ": warning: " not in r.output
        return
    assert printed[: len(expected)] == expected
    assert r.exit_code == (1 if " 0 errors" not in f" {expected[-1]}" else 0)
    assert "Traceback" not in r.output
