"""What the console's plan page shows, read from the API's own answer for the caller (`JobOut`, the
field team's view for a field key) and the stored scenario: no figure is computed a second time here,
the KPIs, bound, coverage, left-out reasons, churn and field status are the plan's and the API's."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from urllib.parse import quote

from api.schemas import JobOut
from maps.common import percent
from maps.overview import area_names
from maps.i18n import kind_label, long_date, reason_label, short_date
from planner.io.export import plan_geojson
from planner.io.links import app_path
from planner.io.reports import StoredReport, TeamDayStatus
from planner.model import Scenario
from planner.plan import LeftOutReason, Plan

from console.i18n import labels


@dataclass(frozen=True)
class TeamDayRow:
    team_id: str
    team_name: str
    date: dt.date
    date_label: str
    stops: int
    recordings: int
    link: str
    qr: str
    map_path: str
    status: TeamDayStatus | None


@dataclass(frozen=True)
class LeftOutRow:
    site_id: str
    name: str
    kind: str
    reason: str
    reason_label: str
    detail: str
    unrecorded: int


@dataclass(frozen=True)
class CoverageRow:
    regency: str
    unrecorded: int
    expected: int
    share: float
    share_text: str


def team_day_rows(base_url: str, job: JobOut, scenario: Scenario, lang: str) -> list[TeamDayRow]:
    """Each team-day of the plan (a field key's own only) with its field app link and QR code."""
    plan, teams = job.plan, scenario.team_by_id()
    status = {(s.team_id, s.date): s for s in job.field_status or []}
    base = base_url.rstrip("/")
    rows = []
    for td in sorted(plan.team_days, key=lambda t: (t.date, t.team_id)):
        team = teams.get(td.team_id)
        path = app_path(job.id, td.team_id, td.date)
        rows.append(TeamDayRow(
            team_id=td.team_id, team_name=team.name if team else td.team_id, date=td.date,
            date_label=short_date(td.date, lang), stops=len(td.stops), recordings=td.recordings,
            link=base + path, qr=f"/console/qr/{quote(job.id, safe='')}/{quote(td.team_id, safe='')}/{td.date.isoformat()}.svg",
            map_path=path.removesuffix("/app") + f"/map?lang={lang}", status=status.get((td.team_id, td.date)),
        ))
    return rows


def left_out_rows(plan: Plan, scenario: Scenario, lang: str) -> list[LeftOutRow]:
    """The sites not visited with the plan's reason, most unrecorded first."""
    sites = scenario.site_by_id()
    rows = []
    for lo in sorted(plan.left_out, key=lambda x: (-x.unrecorded, x.site_id)):
        site = sites.get(lo.site_id)
        rows.append(LeftOutRow(
            site_id=lo.site_id, name=site.name if site else lo.site_id, kind=kind_label(site.kind, lang) if site else "",
            reason=lo.reason.value, reason_label=reason_label(lo.reason, lang), detail=lo.detail, unrecorded=lo.unrecorded,
        ))
    return rows


def reason_options(rows: list[LeftOutRow]) -> list[tuple[str, str, int]]:
    """(code, label, count) of each reason present, in the enum's order."""
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.reason] = counts.get(r.reason, 0) + 1
    order = [r.value for r in LeftOutReason]
    return [(code, next(r.reason_label for r in rows if r.reason == code), counts[code])
            for code in sorted(counts, key=order.index)]


def coverage_rows(plan: Plan, lang: str) -> list[CoverageRow]:
    """The plan's KPIs per regency (code; '-' is the provincial teams' own sites, if any)."""
    L, names = labels(lang), area_names("regency")
    return [CoverageRow(regency=L["provincial"] if code == "-" else f"{names[code]} ({code})" if code in names else code,
                        unrecorded=g.unrecorded,
                        expected=g.expected_recordings, share=g.share, share_text=percent(g.share, lang))
            for code, g in sorted(plan.kpis.by_regency.items())]


def map_json(plan: Plan, scenario: Scenario, lang: str) -> str:
    """The plan's GeoJSON (the same as /export/geojson) for the console's map, as text for an HTML attribute
    (the template escapes it; htmx drops <script> blocks from fragments, so the data cannot travel in one)."""
    keep = {"route": ("team_id", "date", "stops", "recordings", "travel_km"),
            "stop": ("team_id", "date", "site_name", "start", "end", "people"),
            "left_out": ("site_name", "reason", "unrecorded")}
    data = plan_geojson(scenario, plan)
    for f in data["features"]:  # only what the map's tooltips show: the page stays small
        p = f["properties"]
        f["properties"] = {"feature": p["feature"], **{k: p[k] for k in keep[p["feature"]]}}
        if p["feature"] == "left_out":
            f["properties"]["reason"] = reason_label(p["reason"], lang)
    data["labels"] = {k: labels(lang)[k] for k in ("map_routes", "map_left_out")}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def report_rows(reports: list[StoredReport], scenario: Scenario, lang: str, limit: int = 500) -> list[dict]:
    """The latest reports first, with site names."""
    sites = scenario.site_by_id()
    rows = []
    for r in sorted(reports, key=lambda r: r.received_at, reverse=True)[:limit]:
        site = sites.get(r.report.site_id)
        rows.append({"received": r.received_at, "team_id": r.team_id, "date": short_date(r.date, lang),
                     "site": site.name if site else r.report.site_id, "kind": r.report.kind, "people": r.report.people,
                     "reason": r.report.reason, "kit": r.report.kit_id})
    return rows


def week_label(start: dt.date, days: int, lang: str) -> str:
    """'Senin, 23 November 2026 – Sabtu, 28 November 2026'."""
    return f"{long_date(start, lang)} – {long_date(start + dt.timedelta(days=days - 1), lang)}"


__all__ = ["CoverageRow", "LeftOutRow", "TeamDayRow", "coverage_rows", "left_out_rows", "map_json", "reason_options",
           "report_rows", "team_day_rows", "week_label"]
