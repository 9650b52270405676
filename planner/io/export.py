"""Write a plan for people and programs: `plan.json`, GeoJSON, and the field roster (CSV, XLSX one sheet per team)."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from planner.model import Scenario, fmt_clock
from planner.plan import Plan

ROSTER_COLUMNS = {
    "id": [
        "tim", "nama_tim", "tanggal", "hari", "urutan", "id_lokasi", "nama_lokasi", "jenis",
        "kode_desa", "kode_kecamatan", "tiba", "mulai", "selesai", "perkiraan_perekaman",
        "kunjungan_ke", "perjalanan_menit", "perjalanan_km", "berangkat_dari", "kembali_ke",
    ],
    "en": [
        "team", "team_name", "date", "day", "stop", "site_id", "site_name", "kind",
        "village_code", "district_code", "arrival", "start", "end", "expected_recordings",
        "visit_no", "travel_min", "travel_km", "starts_at", "ends_at",
    ],
}
CHANGE_COLUMN = {"id": "perubahan", "en": "change"}
CHANGE_LABELS = {  # a re-planned stop: its outcome before the re-plan time, or its change after it
    "id": {"kept": "tetap", "moved": "pindah", "added": "baru", "done": "selesai", "assumed_done": "sudah lewat",
           "missed": "batal"},
    "en": {"kept": "kept", "moved": "moved", "added": "added", "done": "done", "assumed_done": "assumed done",
           "missed": "missed"},
}
DAY_NAMES = {
    "id": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def write_plan_json(plan: Plan, path: Path) -> Path:
    """The plan in its versioned JSON schema (see docs/plan-schema.md)."""
    path.write_text(plan.model_dump_json(indent=2), encoding="utf-8")
    return path


def read_plan_json(path: Path) -> Plan:
    """Read a plan written by `write_plan_json`."""
    return Plan.model_validate_json(Path(path).read_text(encoding="utf-8"))


def plan_geojson(scenario: Scenario, plan: Plan) -> dict:
    """The plan as a GeoJSON FeatureCollection: one LineString per team-day route, one Point per stop
    and one Point per site left out (with its reason), coordinates [lon, lat] in WGS84."""
    sites = scenario.site_by_id()
    features: list[dict] = []
    for td in sorted(plan.team_days, key=lambda t: (t.team_id, t.date)):
        day = {"team_id": td.team_id, "date": td.date.isoformat()}
        path = [[td.start_place.lon, td.start_place.lat]]
        for n, stop in enumerate(td.stops, start=1):
            site = sites[stop.site_id]
            path.append([site.lon, site.lat])
            features.append(_point(site.lon, site.lat, {
                "feature": "stop", **day, "order": n, "site_id": site.id, "site_name": site.name,
                "kind": site.kind.value, "visit": stop.visit, "arrival": fmt_clock(stop.arrival_min),
                "start": fmt_clock(stop.start_min), "end": fmt_clock(stop.end_min), "people": stop.people,
            }))
        path.append([td.end_place.lon, td.end_place.lat])
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": path}, "properties": {
            "feature": "route", **day, "stops": len(td.stops), "recordings": td.recordings,
            "travel_min": td.travel_min, "travel_km": td.travel_km,
            "depart": fmt_clock(td.depart_min), "return": fmt_clock(td.return_min),
        }})
    for lo in plan.left_out:
        site = sites.get(lo.site_id)
        if site is not None:
            features.append(_point(site.lon, site.lat, {
                "feature": "left_out", "site_id": site.id, "site_name": site.name, "kind": site.kind.value,
                "reason": lo.reason.value, "detail": lo.detail, "unrecorded": lo.unrecorded,
            }))
    return {"type": "FeatureCollection", "features": features}


def _point(lon: float, lat: float, properties: dict) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def change_label(stop, lang: str = "id") -> str:
    """What a re-plan did to a stop ("" in a plan that is no re-plan)."""
    mark = stop.outcome or stop.change
    return CHANGE_LABELS[lang][mark.value] if mark is not None else ""


def roster_columns(plan: Plan, lang: str = "id") -> list[str]:
    """The roster's header: a re-planned plan has a last column saying what changed."""
    return ROSTER_COLUMNS[lang] + ([CHANGE_COLUMN[lang]] if plan.replan is not None else [])


def roster_rows(scenario: Scenario, plan: Plan, lang: str = "id") -> list[list]:
    """One row per stop, in team, date and visiting order (a re-plan adds what changed)."""
    sites, teams = scenario.site_by_id(), scenario.team_by_id()
    rows = []
    for td in sorted(plan.team_days, key=lambda t: (t.team_id, t.date)):
        team = teams[td.team_id]
        for n, stop in enumerate(td.stops, start=1):
            site = sites[stop.site_id]
            rows.append([
                td.team_id, team.name, td.date.isoformat(), DAY_NAMES[lang][td.date.weekday()], n,
                site.id, site.name, site.kind.value, site.village_code, site.district_code,
                fmt_clock(stop.arrival_min), fmt_clock(stop.start_min), fmt_clock(stop.end_min),
                stop.people, stop.visit, stop.travel_min, stop.travel_km,
                td.start_place.name, td.end_place.name,
            ] + ([change_label(stop, lang)] if plan.replan is not None else []))
    return rows


def write_roster_csv(scenario: Scenario, plan: Plan, path: Path, lang: str = "id") -> Path:
    """The roster as one CSV (UTF-8 with BOM so Excel shows Indonesian names right)."""
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(roster_columns(plan, lang))
        w.writerows(roster_rows(scenario, plan, lang))
    return path


def write_roster_xlsx(scenario: Scenario, plan: Plan, path: Path, lang: str = "id") -> Path:
    """The roster as a workbook with one sheet per team."""
    wb = Workbook()
    wb.remove(wb.active)
    rows = roster_rows(scenario, plan, lang)
    for team in scenario.teams:
        ws = wb.create_sheet(_sheet_title(team.id))
        ws.append(roster_columns(plan, lang))
        for row in (r for r in rows if r[0] == team.id):
            ws.append(row)
        for i, name in enumerate(roster_columns(plan, lang), start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, len(name) + 2)
        ws.freeze_panes = "A2"
    wb.save(path)
    return path


def _sheet_title(team_id: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in team_id)[:31]


def write_all(scenario: Scenario, plan: Plan, out: Path, lang: str = "id") -> dict[str, Path]:
    """plan.json, roster.csv and roster.xlsx into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    return {
        "plan": write_plan_json(plan, out / "plan.json"),
        "roster_csv": write_roster_csv(scenario, plan, out / "roster.csv", lang),
        "roster_xlsx": write_roster_xlsx(scenario, plan, out / "roster.xlsx", lang),
    }
