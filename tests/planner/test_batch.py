"""`jemput batch`: many scenarios on a real Dask LocalCluster (2 worker processes) give the same plans
as in this process; a scenario whose worker raises is retried, then reported, and the others finish;
a rerun skips what is done; the national summary adds up the written plans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.solve.backends import DaskBackend, InProcessBackend
from planner.national.batch import BatchOptions, find_scenarios, partition_names, run_batch
from jemput.cli import app
from planner.io.export import read_plan_json
from planner.io.load import load_scenario
from planner.national.synthetic import write_national
from planner.check.validate import validate_plan

OPTIONS = BatchOptions(time_limit_s=60.0, seed=2, max_solutions=2, retries=1)
UNREACHABLE_OSRM = "travel: {provider: osrm, url: 'http://127.0.0.1:9'}"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """Three small synthetic provinces, one whose routing server is down, one invalid file."""
    root = tmp_path_factory.mktemp("national")
    write_national(root / "ok", 3, seed=1, regencies=["15.72"])
    (down,) = write_national(root / "down", 1, seed=1, regencies=["15.72"])
    text = down.read_text(encoding="utf-8").replace("travel: {provider: haversine}", UNREACHABLE_OSRM)
    down.write_text(text, encoding="utf-8")
    (root / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    listing = root / "all.txt"
    listing.write_text("# provinces\nok\ndown/prov-15/scenario.yaml\nbroken.yaml\n", encoding="utf-8")
    return listing


@pytest.fixture(scope="module")
def dask_backend():
    backend = DaskBackend(local_workers=2)
    yield backend
    backend.close()


def _plan_fields(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["solve"].pop("wall_s")
    return data


def test_inputs_are_found_in_folders_and_lists(inputs: Path) -> None:
    paths = find_scenarios([inputs])
    assert [p.parent.name for p in paths[:3]] == ["prov-11", "prov-12", "prov-15"]
    assert paths[3].parts[-3:] == ("down", "prov-15", "scenario.yaml")
    assert paths[4].name == "broken.yaml"
    assert partition_names(paths) == ["prov-11", "prov-12", "prov-15", "prov-15-2", "broken"]
    assert find_scenarios([inputs, inputs.parent / "ok"]) == paths  # named twice, planned once


@pytest.mark.slow
def test_dask_batch_equals_in_process_and_survives_failures(inputs: Path, dask_backend, tmp_path: Path) -> None:
    events = []
    local = run_batch([inputs], tmp_path / "local", OPTIONS, InProcessBackend())
    remote = run_batch([inputs], tmp_path / "dask", OPTIONS, dask_backend, progress=events.append)

    status = {o.name: o.status for o in remote}
    assert status == {"prov-11": "done", "prov-12": "done", "prov-15": "done", "prov-15-2": "failed", "broken": "failed"}
    assert {o.name: o.status for o in local} == status  # the same outcome in one process as on Dask
    down = next(o for o in remote if o.name == "prov-15-2")
    assert down.attempts == 2 and "cannot reach osrm server" in down.reason  # retried once, then reported
    assert ("prov-15-2", "retrying") in [(e.name, e.state) for e in events]
    broken = next(o for o in remote if o.name == "broken")
    assert broken.attempts == 0 and "invalid scenario" in broken.reason

    for name in ("prov-11", "prov-12", "prov-15"):
        a, b = tmp_path / "local" / name / "plan.json", tmp_path / "dask" / name / "plan.json"
        assert _plan_fields(a) == _plan_fields(b), name
        plan = read_plan_json(b)
        assert not validate_plan(load_scenario(plan.scenario_file), plan)
        assert (tmp_path / "dask" / name / "roster.xlsx").is_file()
    assert not (tmp_path / "dask" / "prov-15-2" / "plan.json").exists()

    summary = json.loads((tmp_path / "dask" / "summary.json").read_text(encoding="utf-8"))
    plans = [read_plan_json(tmp_path / "dask" / n / "plan.json") for n in ("prov-11", "prov-12", "prov-15")]
    national = summary["national"]
    assert national["expected_recordings"] == sum(p.kpis.expected_recordings for p in plans)
    assert national["upper_bound"] == sum(p.kpis.upper_bound for p in plans)
    assert national["failed"] == ["prov-15-2", "broken"]
    assert national["sites_left_out"] == sum(len(p.left_out) for p in plans)
    capacity = sum(td.capacity for p in plans for td in p.team_days)
    recorded = sum(td.recordings for p in plans for td in p.team_days)
    assert national["kit_utilisation"] == pytest.approx(recorded / capacity, abs=1e-4)
    md = (tmp_path / "dask" / "summary.md").read_text(encoding="utf-8")
    assert "Ringkasan nasional" in md and "gagal" in md and "cannot reach osrm server" in md


@pytest.mark.slow
def test_rerun_skips_finished_parts_and_replans_the_rest(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([inputs], out, OPTIONS)
    kept = (out / "prov-11" / "plan.json").stat().st_mtime_ns
    (out / "prov-12" / "manifest.json").unlink()  # as if interrupted before prov-12 was committed
    again = run_batch([inputs], out, OPTIONS)
    status = {o.name: (o.status, o.attempts) for o in again}
    assert status["prov-11"] == ("skipped", 0) and status["prov-15"] == ("skipped", 0)
    assert status["prov-12"] == ("done", 1)
    assert status["prov-15-2"] == ("failed", 2)  # failures are tried again on a rerun
    assert (out / "prov-11" / "plan.json").stat().st_mtime_ns == kept
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["national"]["status"] == "3/5"  # skipped parts still count in the summary
    other_seed = run_batch([inputs], out, BatchOptions(time_limit_s=60.0, seed=3, max_solutions=2, retries=0))
    assert {o.name: o.status for o in other_seed}["prov-11"] == "done"  # other options: planned again


def test_cli_batch_reports_failures_and_exits_1(inputs: Path, tmp_path: Path) -> None:
    folder = inputs.parent / "down"  # one province, its routing server down
    r = CliRunner().invoke(app, ["batch", str(folder), "--out", str(tmp_path / "o"), "--retries", "0", "--lang", "en"])
    assert r.exit_code == 1, r.output
    assert "failed" in r.output and "cannot reach osrm server" in r.output
    csv_text = (tmp_path / "o" / "summary.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("scenario,province,status")
    assert "NATIONAL" in csv_text


def test_cli_rejects_two_backends(inputs: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["batch", str(inputs), "--out", str(tmp_path / "o"), "--dask", "local:2", "--processes", "2"])
    assert r.exit_code == 2 and "not both" in r.output


@pytest.mark.slow
def test_nested_parts_on_dask_give_the_same_plan(dask_backend, tmp_path: Path) -> None:
    """--nested sends a province's regency parts to the cluster as their own tasks; same plan."""
    write_national(tmp_path / "in", 1, seed=4, regencies=["15.72", "15.71"])
    nested = BatchOptions(time_limit_s=60.0, seed=2, max_solutions=2, nested=True, roster=False)
    run_batch([tmp_path / "in"], tmp_path / "here", nested, InProcessBackend())
    (done,) = run_batch([tmp_path / "in"], tmp_path / "there", nested, dask_backend)
    assert done.status == "done" and done.plan.solve.parts == 3
    assert _plan_fields(tmp_path / "here" / "prov-15" / "plan.json") == _plan_fields(tmp_path / "there" / "prov-15" / "plan.json")
