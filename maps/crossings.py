"""Crossings on the maps: every bridge, ferry and boat as a dashed line, and for a team-day the
crossings each leg takes with the departure the team can catch (the field map's stop list).

The legs' crossings come from `planner.compile.crossings` (the same travel computation the plan was
made and validated with); the departure shown is the first one at or after the time the team
reaches the port when it leaves at once (previous stop's end, or the day's departure).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from planner.compile.crossings import CrossingProvider, LegCrossing, next_departure
from planner.compile.travel import provider_for
from planner.model import Crossing, CrossingKind, Scenario, VehicleProfile, Weekday
from planner.plan import TeamDay

from maps.common import clock, esc, number
from maps.i18n import day_name, t

log = logging.getLogger(__name__)

CROSSING_COLOUR = "#c2185b"
DASH = "8 8"


@dataclass(frozen=True)
class LegNote:
    """The crossings of one leg as text lines, and their ends for drawing."""

    lines: tuple[str, ...]
    segments: tuple[tuple[tuple[float, float], tuple[float, float]], ...]


def crossing_label(x: Crossing, lang: str) -> str:
    """Escaped tooltip of a crossing: name, ends, time on board, sailings, vehicles, fare."""
    name = x.name or x.id
    kind = t(f"crossing_{x.kind.value}", lang)
    ends = f"{esc(x.a_name or 'A')} – {esc(x.b_name or 'B')}"
    if x.kind == CrossingKind.bridge:
        sail = t("always_open", lang)
    elif x.every_min is not None:
        sail = t("every_min", lang, n=x.every_min) + (f" ({x.service})" if x.service else "")
    else:
        monday = dt.date(2026, 11, 23)  # any Monday: only the weekday names are shown
        sail = "; ".join(f"{day_name(monday + dt.timedelta(days=i), lang)} {' '.join(clock(m) for m in x.departures[d])}"
                         for i, d in enumerate(Weekday) if x.departures.get(d))
    fare = f" · Rp {number(int(x.cost_idr), lang)}" if x.cost_idr else ""
    vehicles = ", ".join(sorted(v.value for v in x.vehicles)) or "—"
    return (f"<b>{esc(name)}</b> ({esc(kind)})<br>{ends}<br>{x.crossing_min} {esc(t('minutes', lang))} · "
            f"{esc(sail)}<br>{esc(t('vehicles', lang))}: {esc(vehicles)}{fare}")


def crossing_lines(scenario: Scenario, lang: str) -> list[dict]:
    """Every crossing of the scenario as {"ll": [[lat, lon], [lat, lon]], "label": escaped html}."""
    return [{"ll": [[x.a_lat, x.a_lon], [x.b_lat, x.b_lon]], "label": crossing_label(x, lang)}
            for x in scenario.crossings]


def _provider(scenario: Scenario) -> CrossingProvider | None:
    if not scenario.crossings:
        return None
    base = Path(scenario.source_dir) if scenario.source_dir else None
    try:
        return CrossingProvider(provider_for(scenario.travel, base), scenario)
    except Exception as exc:  # a map must not fail because travel cannot be had again
        log.warning("crossings not shown on the field map: %s", exc)
        return None


def leg_notes(scenario: Scenario, td: TeamDay, vehicle: VehicleProfile, lang: str) -> list[LegNote]:
    """One note per leg of the team-day (to each stop, then to the end place); empty where none crosses."""
    places = [(f"base:{td.team_id}" if td.start_place.kind == "base" else td.start_place.site_id or "",
               td.start_place.lat, td.start_place.lon)]
    sites = scenario.site_by_id()
    for stop in td.stops:
        s = sites[stop.site_id]
        places.append((s.id, s.lat, s.lon))
    places.append((f"base:{td.team_id}" if td.end_place.kind == "base" else td.end_place.site_id or "",
                   td.end_place.lat, td.end_place.lon))
    departs = [td.depart_min] + [s.end_min for s in td.stops]
    provider = _provider(scenario)
    notes = []
    for k in range(len(places) - 1):
        legs: list[LegCrossing] = []
        if provider is not None:
            try:
                legs = provider.leg_crossings(places[k], places[k + 1], vehicle)
            except Exception as exc:  # noqa: BLE001 - shown without crossings rather than no map
                log.warning("crossings of a leg cannot be computed: %s", exc)
        notes.append(_note(legs, td.date, departs[k], lang))
    return notes


def _note(legs: list[LegCrossing], day: dt.date, depart: int, lang: str) -> LegNote:
    lines, segments = [], []
    now_day, now = day, depart  # the team's clock along the leg: road, then the departure it catches
    for leg in legs:
        x = leg.crossing
        board = (x.a_name, (x.a_lat, x.a_lon)) if leg.from_end == "a" else (x.b_name, (x.b_lat, x.b_lon))
        land = (x.b_lat, x.b_lon) if leg.from_end == "a" else (x.a_lat, x.a_lon)
        segments.append((board[1], land))
        when = next_departure(x, now_day, now + leg.road_before)
        if when is not None:
            now_day, now = when[0], when[1] + x.crossing_min
        name = x.name or x.id
        if x.kind == CrossingKind.bridge:
            lines.append(f"{name}: {t('bridge_over', lang)} · {x.crossing_min} {t('minutes', lang)}")
            continue
        at = "?" if when is None else clock(when[1])
        if when is not None and when[0] != day:
            at = f"{day_name(when[0], lang)} {at}"
        fare = f" · Rp {number(int(x.cost_idr), lang)}" if x.cost_idr else ""
        lines.append(f"{name}: {t('departs', lang)} {at} {t('from_port', lang)} {board[0] or '—'} · "
                     f"{x.crossing_min} {t('minutes', lang)} {t('on_board', lang)}{fare}")
    return LegNote(tuple(lines), tuple(segments))
