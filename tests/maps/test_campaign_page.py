"""campaign.html (issue 19): Bahasa Indonesia by default, English on request, text from input escaped,
nothing from a CDN; and `jemput campaign` end to end with its CSV tables and bad options."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jemput.cli import app
from maps.campaign import campaign_map
from planner.campaign import CampaignOptions, plan_campaign
from planner.campaign.tables import DECISION_COLUMNS, PROJECTION_COLUMNS, decisions_csv, projection_csv
from planner.campaign.weeks import restrict
from planner.io.bundled import jambi_scenario_path
from planner.io.load import load_scenario

GOOD = Path(__file__).parents[1] / "data" / "good" / "scenario.yaml"
EVIL = "<script>alert('x')</script>"
runner = CliRunner()


@pytest.fixture(scope="module")
def campaign():
    s = restrict(load_scenario(jambi_scenario_path()), frozenset({"15.72"}))
    first = s.sites[0].model_copy(update={"name": f"Desa {EVIL}", "unrecorded": 5000})
    s = s.model_copy(update={"sites": (first,) + s.sites[1:]})
    opts = CampaignOptions(deadline=dt.date(2026, 12, 2), week_time_limit_s=10, workers=1, max_solutions=10, confirm_top=1)
    return plan_campaign(s, opts)


@pytest.mark.slow
def test_page_is_in_bahasa_by_default_and_english_on_request(campaign) -> None:
    page = campaign_map(campaign).get_root().render()
    assert "Kampanye sampai tenggat" in page and "Tenggat" in page and "Keputusan terbaik" in page
    assert "Kota Sungai Penuh" in page  # regency names from the bundled boundaries
    en = campaign_map(campaign, "en").get_root().render()
    assert "Campaign to the deadline" in en and "Top decisions" in en and "Kampanye sampai" not in en
    with pytest.raises(ValueError):
        campaign_map(campaign, "fr")


@pytest.mark.slow
def test_page_escapes_input_and_loads_nothing_from_a_cdn(campaign) -> None:
    page = campaign_map(campaign).get_root().render()
    assert EVIL not in page and "<script>alert" not in page
    assert "Desa \\u0026lt;script\\u0026gt;alert(" in page  # escaped HTML inside the script's JSON
    assert "<script src=" not in page and 'rel="stylesheet"' not in page
    for host in ("cdn.jsdelivr", "code.jquery", "cdnjs", "bootstrapcdn", "fontawesome", "unpkg"):
        assert host not in page


@pytest.mark.slow
def test_tables_have_the_columns_and_one_row_per_regency_week(campaign) -> None:
    rows = list(csv.DictReader(projection_csv(campaign).splitlines()))
    assert tuple(rows[0]) == PROJECTION_COLUMNS
    assert [(r["regency_code"], r["week_start"]) for r in rows] == [("15.72", "2026-11-23"), ("15.72", "2026-11-30")]
    decisions = list(csv.DictReader(decisions_csv(campaign).splitlines()))
    assert tuple(decisions[0]) == DECISION_COLUMNS
    assert [int(d["rank"]) for d in decisions] == list(range(1, len(decisions) + 1))
    gains = [float(d["gain"]) for d in decisions]
    assert gains == sorted(gains, reverse=True)
    assert {d["basis"] for d in decisions} == {"plans", "model"}


@pytest.mark.slow
def test_cli_writes_the_three_outputs(tmp_path: Path) -> None:
    out = tmp_path / "c"
    r = runner.invoke(app, ["campaign", str(GOOD), "--deadline", "2026-12-01", "--out", str(out), "--time-limit", "2",
                            "--max-solutions", "5", "--workers", "1", "--confirm", "1"])
    assert r.exit_code == 0, r.output
    for name in ("projection.csv", "decisions.csv", "campaign.html", "campaign.en.html"):
        assert (out / name).stat().st_size > 0
    assert "Tenggat" in (out / "campaign.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (["--deadline", "19-12-2026"], "expected a date YYYY-MM-DD"),
    (["--deadline", "2026-11-01"], "before the scenario's first day"),
    (["--deadline", "2029-12-01"], "at most 52 weeks"),
    (["--deadline", "2026-12-01", "--time-limit", "0"], "--time-limit: must be at least"),
    (["--deadline", "2026-12-01", "--lang", "fr"], "expected id or en"),
])
def test_cli_rejects_bad_options_naming_them(tmp_path: Path, args: list[str], message: str) -> None:
    r = runner.invoke(app, ["campaign", str(GOOD), "--out", str(tmp_path / "c"), *args])
    assert r.exit_code == 2, r.output
    assert message in " ".join(r.output.split())
