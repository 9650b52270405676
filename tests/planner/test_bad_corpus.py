"""The bad-input corpus (tests/data/bad): every case gets exactly the answer in its expected.txt.

Each folder holds a scenario (scenario.yaml or .json) and the files it names, as a coordinator's
office would send them; expected.txt is the validator's whole report (every error and warning with
file, row, column, value and reason, then the summary), reviewed by hand. A case with an error must
not load (nothing half-loaded); a warning-only case loads. The inputs are written by
scripts/make_bad_corpus.py and the older cases by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
