"""The campaign's CSV tables: projection.csv and decisions.csv (UTF-8, comma-separated, one header row)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from planner.campaign.run import Campaign

PROJECTION_COLUMNS = (
    "regency_code", "regency_name", "week_start", "expected_recorded", "recorded_to_date", "remaining", "share_recorded",
)
DECISION_COLUMNS = (
    "rank", "kind", "decision_id", "keterangan", "description", "gain", "basis", "predicted_gain", "measured_gain",
    "kit_weeks", "gain_per_kit_week", "regencies_gaining",
)


def projection_csv(campaign: Campaign) -> str:
    """projection.csv: per regency and week, expected recordings that week and the standing after it."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(PROJECTION_COLUMNS)
    for r in campaign.projection:
        w.writerow((r.regency_code, campaign.regency_names.get(r.regency_code, ""), r.week_start.isoformat(),
                    r.expected_recorded, r.recorded_to_date, r.remaining, f"{r.share_recorded:.4f}"))
    return out.getvalue()


def decisions_csv(campaign: Campaign) -> str:
    """decisions.csv: every screened decision ranked by recordings gained before the deadline.

    `gain` is `measured_gain` (planned with the decision applied, basis `plans`) where measured,
    else `predicted_gain` (the capacity model, basis `model`).
    """
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(DECISION_COLUMNS)
    names = campaign.regency_names
    for i, d in enumerate(campaign.decisions, 1):
        w.writerow((
            i, d.action.kind, d.action.key, d.action.describe("id", names), d.action.describe("en", names), round(d.gain),
            d.basis, round(d.predicted_gain), "" if d.measured_gain is None else d.measured_gain,
            f"{d.kit_weeks:g}", f"{d.gain_per_kit_week:.1f}", " ".join(d.gaining_regencies()),
        ))
    return out.getvalue()


def write_tables(campaign: Campaign, out: Path) -> dict[str, Path]:
    """Write projection.csv and decisions.csv into OUT; returns them by name."""
    out.mkdir(parents=True, exist_ok=True)
    files = {"projection": out / "projection.csv", "decisions": out / "decisions.csv"}
    files["projection"].write_text(projection_csv(campaign), encoding="utf-8")
    files["decisions"].write_text(decisions_csv(campaign), encoding="utf-8")
    return files
