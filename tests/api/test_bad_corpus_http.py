"""Every case of the bad-input corpus (tests/data/bad) uploaded as a coordinator would: the same
problems as `jemput validate` (file, row, field, severity, reason), a 422 exactly when there is an
error, never a 500, and no server path in any answer.

The one difference is by design: a scenario naming a table that was not uploaded is refused before
loading (the server reads nothing but the uploaded parts), so `missing_table` is answered with the
scenario's key instead of the loader's "file not found".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from planner.io.load import validate_scenario
from tests.api.conftest import headers, make_settings
from tests.planner.test_bad_corpus import case_dirs, scenario_file

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
NOT_UPLOADED = {"missing_table": ("scenario.yaml", None, "teams", "error",
                                  "names 'nowhere/teams.csv', which was not uploaded as a table part")}


@pytest.fixture(scope="module")
def idle(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("corpus-http")
    with TestClient(create_app(make_settings(f"sqlite:///{tmp / 'db.sqlite'}", tmp, run_jobs=False))) as c:
        yield c


def upload_parts(folder: Path) -> list[tuple[str, tuple[str, bytes]]]:
    """The scenario file and every table it names, as multipart parts (../../good/ tables by their name)."""
    path = scenario_file(folder)
    raw = path.read_bytes()
    tables = {p.name: p.read_bytes() for p in folder.iterdir() if p.name not in (path.name, "expected.txt")}
    for name in re.findall(rb"\.\./\.\./good/([\w.]+)", raw):
        tables.setdefault(name.decode(), (GOOD / name.decode()).read_bytes())
    return [("scenario", (path.name, raw.replace(b"../../good/", b"")))] + [("tables", t) for t in tables.items()]


def cli_problems(folder: Path) -> list[tuple]:
    """The loader's problems as the server would word them (files by their uploaded names)."""
    path = scenario_file(folder)
    _, report = validate_scenario(path)

    def local(text: str) -> str:
        return text.replace("../../good/", "").replace(str(path), path.name).replace(f"{folder.resolve()}/", "")

    return sorted(((local(p.file), p.row, p.column, p.severity.value, local(p.reason)) for p in report.problems),
                  key=repr)


def answered(body: dict, key: str) -> list[tuple]:
    return sorted(((p["file"], p["row"], p["field"], p["severity"], p["reason"]) for p in body[key]), key=repr)


@pytest.mark.parametrize("folder", case_dirs(), ids=lambda d: d.name)
@pytest.mark.parametrize("path", ["/v1/scenarios/files/validate", "/v1/scenarios/files"])
def test_case_gets_the_loaders_answer_over_http(idle: TestClient, folder: Path, path: str) -> None:
    r = idle.post(path, files=upload_parts(folder), headers=headers("coordinator"))
    expected = [NOT_UPLOADED[folder.name]] if folder.name in NOT_UPLOADED else cli_problems(folder)
    loads = not any(p[3] == "error" for p in expected)
    assert r.status_code == (422 if not loads else 200 if path.endswith("validate") else 201), r.text
    # a stored scenario comes back with its warnings; everything else with the whole report
    assert answered(r.json(), "warnings" if loads and r.status_code == 201 else "problems") == expected
    assert "/work/" not in r.text and str(Path.cwd()) not in r.text and "Traceback" not in r.text
