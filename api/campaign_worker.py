"""A campaign job in a worker process: roll the weeks to the deadline, rank the decisions, store the
tables, the pages (Bahasa Indonesia and English) and the JSON the API answers with, in one write."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable

from planner.model import Scenario


def run_campaign(scenario: Scenario, opts: dict, workers: int | None, progress: Callable[[str], None]) -> str:
    """The stored result of a campaign job (JSON text): figures, projection, decisions, CSV and HTML."""
    import datetime as dt

    from maps.campaign import assumption_lines, campaign_map
    from planner.campaign import CampaignOptions, plan_campaign
    from planner.campaign.tables import decisions_csv, projection_csv

    options = CampaignOptions(
        deadline=dt.date.fromisoformat(opts["deadline"]), week_time_limit_s=opts["time_limit_s"], seed=opts["seed"],
        workers=workers, max_solutions=opts.get("max_solutions"), confirm_top=opts["confirm"],
        repair_days=opts["repair_days"], add_team_kits=opts["add_team_kits"],
    )
    campaign = plan_campaign(scenario, options, progress)
    p_csv, d_csv = projection_csv(campaign), decisions_csv(campaign)
    projection = [dict(r, expected_recorded=int(r["expected_recorded"]), recorded_to_date=int(r["recorded_to_date"]),
                       remaining=int(r["remaining"]), share_recorded=float(r["share_recorded"]))
                  for r in csv.DictReader(p_csv.splitlines())]
    names = campaign.regency_names
    decisions = [
        {"rank": i, "kind": d.action.kind, "decision_id": d.action.key, "keterangan": d.action.describe("id", names),
         "description": d.action.describe("en", names), "gain": round(d.gain, 1), "basis": d.basis,
         "predicted_gain": d.predicted_gain, "measured_gain": d.measured_gain, "kit_weeks": d.kit_weeks,
         "gain_per_kit_week": round(d.gain_per_kit_week, 1), "regencies_gaining": d.gaining_regencies()}
        for i, d in enumerate(campaign.decisions, 1)
    ]
    return json.dumps({
        "weeks": len(campaign.baseline.weeks),
        "expected_recorded": campaign.baseline.recorded(),
        "remaining": sum(s.unrecorded for s in campaign.baseline.final.sites),
        "assumptions": {lang: assumption_lines(campaign, lang) for lang in ("id", "en")},
        "projection": projection,
        "decisions": decisions,
        "projection_csv": p_csv,
        "decisions_csv": d_csv,
        "html": {lang: campaign_map(campaign, lang).get_root().render() for lang in ("id", "en")},
    })
