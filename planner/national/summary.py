"""The national summary of a batch: one row per province week, and the national totals.

Figures come from each written plan (its KPIs and team-days), never from the solver's objective.
summary.json has English keys for programs; summary.csv and summary.md are for coordinators,
in Bahasa Indonesia by default (`lang="en"` for English).
"""

from __future__ import annotations

from typing import Any

import csv
import html
import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from planner.io.export import spreadsheet_text
from planner.plan import LeftOutReason, Plan

REASONS = [r.value for r in LeftOutReason]
COLUMNS = [
    "scenario", "province", "status", "attempts", "reason", "expected_recordings", "upper_bound",
    "share_of_bound", "total_unrecorded", "share_of_unrecorded", "kit_utilisation", "sites_served",
    "sites_left_out", *(f"left_out_{r}" for r in REASONS), "wall_s",
]  # fmt: skip
HEADERS_ID = {
    "scenario": "skenario", "province": "provinsi", "status": "status", "attempts": "percobaan",
    "reason": "alasan", "expected_recordings": "perkiraan_perekaman", "upper_bound": "batas_atas",
    "share_of_bound": "capaian_thd_batas", "total_unrecorded": "belum_rekam",
    "share_of_unrecorded": "porsi_belum_rekam_terjangkau", "kit_utilisation": "pemakaian_alat",
    "sites_served": "lokasi_dilayani", "sites_left_out": "lokasi_tidak_dikunjungi", "wall_s": "waktu_detik",
    **{f"left_out_{r}": f"tidak_dikunjungi_{r}" for r in REASONS},
}  # fmt: skip
STATUS = {
    "id": {"done": "selesai", "skipped": "sudah ada, dilewati", "failed": "gagal"},
    "en": {"done": "done", "skipped": "already planned, skipped", "failed": "failed"},
}
TOTAL = {"id": "NASIONAL", "en": "NATIONAL"}
TITLE = {"id": "Ringkasan nasional", "en": "National summary"}


def plan_row(plan: Plan) -> dict[str, Any]:
    """Figures of one plan: recordings against the bound, kit use, sites left out by reason."""
    k = plan.kpis
    capacity = sum(td.capacity for td in plan.team_days)
    recorded = sum(td.recordings for td in plan.team_days)
    reasons = Counter(lo.reason.value for lo in plan.left_out)
    return {
        "province": plan.scenario_name,
        "expected_recordings": k.expected_recordings,
        "upper_bound": k.upper_bound,
        "share_of_bound": round(k.expected_recordings / k.upper_bound, 4) if k.upper_bound else 0.0,
        "total_unrecorded": k.total_unrecorded,
        "share_of_unrecorded": k.share_of_unrecorded,
        "kit_utilisation": round(recorded / capacity, 4) if capacity else 0.0,
        "capacity": capacity,
        "kit_recordings": recorded,
        "sites_served": k.sites_served,
        "sites_left_out": k.sites_left_out,
        **{f"left_out_{r}": reasons.get(r, 0) for r in REASONS},
    }


def summary_rows(outcomes: Sequence[Any]) -> list[dict[str, Any]]:  # national.batch.Outcome (batch imports this module)
    """One row per partition (figures empty where it failed)."""
    rows = []
    for o in outcomes:
        row = {"scenario": o.name, "status": o.status, "attempts": o.attempts, "reason": o.reason, "wall_s": round(o.wall_s, 2)}
        if o.plan is not None:
            row.update(plan_row(o.plan))
        rows.append(row)
    return rows


def national_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals over the planned partitions; shares recomputed from the totals."""
    ok = [r for r in rows if "expected_recordings" in r]
    summed = ("expected_recordings", "upper_bound", "total_unrecorded", "capacity", "kit_recordings", "sites_served", "sites_left_out")
    total = {c: sum(r[c] for r in ok) for c in (*summed, *(f"left_out_{x}" for x in REASONS))}
    total.update(
        scenario="*",
        status=f"{sum(r['status'] != 'failed' for r in rows)}/{len(rows)}",
        share_of_bound=round(total["expected_recordings"] / total["upper_bound"], 4) if total["upper_bound"] else 0.0,
        share_of_unrecorded=round(total["expected_recordings"] / total["total_unrecorded"], 4) if total["total_unrecorded"] else 0.0,
        kit_utilisation=round(total["kit_recordings"] / total["capacity"], 4) if total["capacity"] else 0.0,
        wall_s=round(sum(r["wall_s"] for r in rows), 2),
        failed=[r["scenario"] for r in rows if r["status"] == "failed"],
    )
    return total


def write_summary(out_dir: Path, outcomes: Sequence[Any], lang: str = "id") -> dict[str, Path]:
    """summary.json, summary.csv and summary.md in out_dir (each written then renamed)."""
    rows = summary_rows(outcomes)
    nat = national_row(rows)
    out_dir = Path(out_dir)
    files = {"json": out_dir / "summary.json", "csv": out_dir / "summary.csv", "md": out_dir / "summary.md"}
    _replace(files["json"], json.dumps({"partitions": rows, "national": nat}, indent=2, ensure_ascii=False))
    _replace(files["csv"], _csv_text(rows, nat, lang))
    _replace(files["md"], _markdown(rows, nat, lang))
    return files


def _header(column: str, lang: str) -> str:
    return HEADERS_ID.get(column, column) if lang == "id" else column


def _cells(row: dict[str, Any], lang: str) -> list[Any]:
    status = STATUS.get(lang, STATUS["en"]).get(row.get("status", ""), row.get("status", ""))
    return [status if c == "status" else row.get(c, "") for c in COLUMNS]


def _csv_text(rows: list[dict[str, Any]], nat: dict[str, Any], lang: str) -> str:
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([_header(c, lang) for c in COLUMNS])
    for r in rows:  # scenario and province names come from input files: no live formulas when opened
        w.writerow([spreadsheet_text(v) for v in _cells(r, lang)])
    w.writerow(_cells({**nat, "scenario": TOTAL.get(lang, "NATIONAL"), "province": ""}, lang))
    return "\ufeff" + buf.getvalue()  # BOM: Excel shows Indonesian names right


def _markdown(rows: list[dict[str, Any]], nat: dict[str, Any], lang: str) -> str:
    """A short table for people: status, recordings vs bound, kit use, left out; failures with reasons."""
    cols = ["scenario", "province", "status", "expected_recordings", "upper_bound", "share_of_bound", "kit_utilisation", "sites_left_out", "wall_s"]
    lines = [f"# {TITLE.get(lang, TITLE['en'])}", "", "| " + " | ".join(_header(c, lang) for c in cols) + " |", "|" + "---|" * len(cols)]
    for r in [*rows, {**nat, "scenario": TOTAL.get(lang, "NATIONAL"), "province": ""}]:
        cells = _cells(r, lang)
        lines.append("| " + " | ".join(_md_cell(cells[COLUMNS.index(c)]) for c in cols) + " |")
    failed = [r for r in rows if r["status"] == "failed"]
    if failed:
        lines += ["", "## " + ("Gagal" if lang == "id" else "Failed"), ""]
        lines += [f"- {_md_cell(r['scenario'])}: {_md_cell(r['reason'])}" for r in failed]
    left = {r: nat.get(f"left_out_{r}", 0) for r in REASONS if nat.get(f"left_out_{r}", 0)}
    if left:
        head = "Lokasi tidak dikunjungi, menurut alasan" if lang == "id" else "Sites left out, by reason"
        lines += ["", f"## {head}", ""] + [f"- {r}: {n:,}" for r, n in left.items()]
    return "\n".join(lines) + "\n"


def _md_cell(value: object) -> str:
    if isinstance(value, float):
        value = f"{value:.4g}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return html.escape(str(value)).replace("|", "\\|").replace("\n", " ")


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
