"""Write a plan for people and programs: `plan.json`, GeoJSON, and the field roster (CSV, XLSX one sheet per team).

Text from input files (site and team names, ids) may start with = + - or @, which a spreadsheet
would run as a formula when the roster is opened: the XLSX writes every text as a string cell
(xlsxwriter, `strings_to_formulas=False`) and the CSV puts a ' before such text (`spreadsheet_text`).
"""

from __future__ import annotations

from typing import Any

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from planner import units
from planner.io.links import Links, qr_png
from planner.model import Scenario, fmt_clock
from planner.plan import Plan, Stop

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
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_OPTIONS = {  # text stays text: no formulas, numbers or links guessed from strings; rows streamed to disk
    "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False, "constant_memory": True,
}
DAY_NAMES = units.DAY_NAMES


def write_plan_json(plan: Plan, path: Path) -> Path:
    """The plan in its versioned JSON schema (see docs/plan-schema.md)."""
    path.write_text(plan.model_dump_json(indent=2), encoding="utf-8")
    return path


def read_plan_json(path: Path) -> Plan:
    """Read a plan written by `write_plan_json`."""
    return Plan.model_validate_json(Path(path).read_text(encoding="utf-8"))


def plan_geojson(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    """The plan as a GeoJSON FeatureCollection: one LineString per team-day route, one Point per stop
    and one Point per site left out (with its reason), coordinates [lon, lat] in WGS84."""
    sites = scenario.site_by_id()
    features: list[dict[str, Any]] = []
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
        unvisited = sites.get(lo.site_id)
        if unvisited is not None:
            site = unvisited
            features.append(_point(site.lon, site.lat, {
                "feature": "left_out", "site_id": site.id, "site_name": site.name, "kind": site.kind.value,
                "reason": lo.reason.value, "detail": lo.detail, "unrecorded": lo.unrecorded,
            }))
    return {"type": "FeatureCollection", "features": features}


def _point(lon: float, lat: float, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def change_label(stop: Stop, lang: str = "id") -> str:
    """What a re-plan did to a stop ("" in a plan that is no re-plan)."""
    mark = stop.outcome or stop.change
    return CHANGE_LABELS[lang][mark.value] if mark is not None else ""


def roster_columns(plan: Plan, lang: str = "id") -> list[str]:
    """The roster's header: a re-planned plan has a last column saying what changed."""
    return ROSTER_COLUMNS[lang] + ([CHANGE_COLUMN[lang]] if plan.replan is not None else [])


def roster_rows(scenario: Scenario, plan: Plan, lang: str = "id") -> list[list[Any]]:
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


def spreadsheet_text(value: object) -> object:
    """Text a spreadsheet would read as a formula (=, +, -, @ first) gets a leading ' (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_rows(rows: Iterable[Iterable[object]]) -> list[list[object]]:
    """Rows for a CSV people open in a spreadsheet, every text cell passed through `spreadsheet_text`."""
    return [[spreadsheet_text(v) for v in row] for row in rows]


def write_roster_csv(scenario: Scenario, plan: Plan, path: Path, lang: str = "id") -> Path:
    """The roster as one CSV (UTF-8 with BOM so Excel shows Indonesian names right; no live formulas)."""
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(roster_columns(plan, lang))
        w.writerows(safe_rows(roster_rows(scenario, plan, lang)))
    return path


def write_roster_xlsx(scenario: Scenario, plan: Plan, path: Path, lang: str = "id", links: Links | None = None) -> Path:
    """The roster as a workbook with one sheet per team; every text is a string cell, never a formula.
    With `links`, a last sheet holds each team-day's field app link and its QR code."""
    import xlsxwriter

    header = roster_columns(plan, lang)
    by_team: dict[str, list[list[Any]]] = {}
    for row in roster_rows(scenario, plan, lang):
        by_team.setdefault(row[0], []).append(row)
    with xlsxwriter.Workbook(str(path), XLSX_OPTIONS) as wb:
        bold = wb.add_format({"bold": True})
        for team, title in zip(scenario.teams, sheet_titles([t.id for t in scenario.teams])):
            ws = wb.add_worksheet(title)
            for i, name in enumerate(header):
                ws.set_column(i, i, max(10, len(name) + 2))
            ws.freeze_panes(1, 0)
            ws.write_row(0, 0, header, bold)
            for r, row in enumerate(by_team.get(team.id, []), start=1):
                ws.write_row(r, 0, row)
        if links:
            _links_sheet(wb, scenario, links, lang, bold)
    return path


LINKS_SHEET = {"id": ("Tautan lapangan", ["tim", "nama_tim", "tanggal", "tautan", "kode_qr"]),
               "en": ("Field links", ["team", "team_name", "date", "link", "qr_code"])}


def _links_sheet(wb: Any, scenario: Scenario, links: Links, lang: str, bold: Any) -> None:  # xlsxwriter ships no types
    """One row per team-day: team, date, the field app's URL and its QR code (PNG) to scan from the printout."""
    title, header = LINKS_SHEET[lang]
    teams = scenario.team_by_id()
    ws = wb.add_worksheet(title)
    for i, width in enumerate((14, 28, 12, 70, 20)):
        ws.set_column(i, i, width)
    ws.write_row(0, 0, header, bold)
    for r, ((team_id, day), url) in enumerate(sorted(links.items()), start=1):
        ws.set_row(r, 100)
        name = teams[team_id].name if team_id in teams else team_id
        ws.write_row(r, 0, [team_id, name, day.isoformat(), url])
        ws.insert_image(r, 4, f"qr-{r}.png", {"image_data": io.BytesIO(qr_png(url, scale=3)), "object_position": 1})


def sheet_titles(names: list[str]) -> list[str]:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, no ' at either end, unique ignoring case."""
    titles: list[str] = []
    taken: set[str] = set()
    for name in names:
        base = ("".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Sheet")[:31]
        title, n = base, 1
        while title.lower() in taken:
            n += 1
            title = f"{base[:31 - len(str(n)) - 1]}~{n}"
        taken.add(title.lower())
        titles.append(title)
    return titles


def write_all(scenario: Scenario, plan: Plan, out: Path, lang: str = "id") -> dict[str, Path]:
    """plan.json, roster.csv and roster.xlsx into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    return {
        "plan": write_plan_json(plan, out / "plan.json"),
        "roster_csv": write_roster_csv(scenario, plan, out / "roster.csv", lang),
        "roster_xlsx": write_roster_xlsx(scenario, plan, out / "roster.xlsx", lang),
    }
