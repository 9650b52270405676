"""Helpers both maps share: safe text for HTML and JS, plan look-ups, colours, opening hours.

All text that comes from input files (site, team, base names, notes) must pass through `esc` before
it is put into HTML, and data for scripts through `js_json`; the maps never build markup from raw text.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections import defaultdict
from dataclasses import dataclass

from planner.model import Scenario, Site, SiteKind, fmt_clock
from planner.plan import LeftOut, Plan, Stop, TeamDay

from maps.i18n import t

# One colour per site kind (ColorBrewer Set1-like, readable on OSM tiles).
KIND_COLOUR: dict[SiteKind, str] = {
    SiteKind.village: "#2b8cbe",
    SiteKind.prison: "#d7301f",
    SiteKind.hospital: "#6a51a3",
    SiteKind.school: "#ec7014",
    SiteKind.care_home: "#1a9850",
    SiteKind.other: "#636363",
}

# Distinct route colours, one per team in scenario order (cycled past 24 teams).
TEAM_PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
    "#000075", "#808000", "#800000", "#469990", "#bfef45", "#dcbeff", "#fabed4", "#ffe119",
    "#aaffc3", "#ffd8b1", "#a9a9a9", "#1b5e20", "#0d47a1", "#4a148c", "#bf360c", "#263238",
)  # fmt: skip


def esc(text: object) -> str:
    """HTML-escape text, also backticks, '$' and backslashes, so it is inert in HTML and in JS template literals."""
    out = html.escape(str(text), quote=True)
    return out.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def js_json(value: object) -> str:
    """JSON for a <script> block with '<', '>' and '&' as \\u escapes: no text can end or confuse the script."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


def clock(minutes: int) -> str:
    """HH:MM of minutes after midnight."""
    return fmt_clock(minutes)


def team_colours(scenario: Scenario) -> dict[str, str]:
    """A route colour per team id, stable for a scenario's team order."""
    return {team.id: TEAM_PALETTE[i % len(TEAM_PALETTE)] for i, team in enumerate(scenario.teams)}


@dataclass(frozen=True)
class PlannedVisit:
    """One stop of the plan together with the team-day that makes it."""

    team_day: TeamDay
    stop: Stop


def visits_by_site(plan: Plan) -> dict[str, list[PlannedVisit]]:
    """Every site's planned visits in date and time order, for popups."""
    out: dict[str, list[PlannedVisit]] = defaultdict(list)
    for td in plan.team_days:
        for stop in td.stops:
            out[stop.site_id].append(PlannedVisit(td, stop))
    for visits in out.values():
        visits.sort(key=lambda v: (v.team_day.date, v.stop.start_min))
    return dict(out)


def left_out_by_site(plan: Plan) -> dict[str, LeftOut]:
    """The plan's left-out entry per site id."""
    return {lo.site_id: lo for lo in plan.left_out}


def find_team_day(plan: Plan, team_id: str, day: dt.date) -> TeamDay | None:
    """The team-day of a team on a date, or None when the plan has no route for it."""
    return next((td for td in plan.team_days if td.team_id == team_id and td.date == day), None)


def hours_text(site: Site, day: dt.date, lang: str) -> str:
    """The site's opening windows on a date, e.g. '08:00–12:00, 13:00–16:00', or 'closed'."""
    windows = site.windows_on(day)
    if not windows:
        return t("closed", lang)
    return ", ".join(f"{clock(w.start)}–{clock(w.end)}" for w in windows)


def percent(share: float, lang: str = "en") -> str:
    """A share as a percentage with one decimal, e.g. '6,8%' (id) or '6.8%' (en)."""
    return f"{decimal(share * 100, 1, lang)}%"


def number(value: float, lang: str) -> str:
    """An integer with thousands separators in the language's style (1.234 in id, 1,234 in en)."""
    text = f"{round(value):,}"
    return text.replace(",", ".") if lang == "id" else text


def decimal(value: float, digits: int, lang: str) -> str:
    """A number with fixed decimals and the language's decimal mark (11,6 in id, 11.6 in en)."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "id" else text


def marker_radius(unrecorded: int, largest: int) -> float:
    """Circle radius in pixels, area ~ unrecorded people (sqrt scale), 3 to 20 px."""
    if largest <= 0:
        return 3.0
    return round(3.0 + 17.0 * math.sqrt(max(unrecorded, 0) / largest), 1)
