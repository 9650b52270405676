"""Read the crossings table (bridges, ferries, boats between islands) named by `crossings:` in a scenario.

Columns (docs/data-format.md, "Crossings"): crossing_id, kind, a_lat, a_lon, b_lat, b_lon,
crossing_min required; name, a_name, a_island, b_name, b_island, length_km, every_min, service,
departures, departures_<weekday>, vehicles, cost_idr optional. Every bad cell is reported with file,
row and column; a table with any error yields nothing.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from planner import units
from planner.io.problems import NO_VALUE, Report
from planner.io.cells import Row
from planner.io.tables import check_columns, read_table
from planner.model import Crossing, CrossingKind, TimeWindow, VehicleProfile, Weekday, parse_clock

DAYS = tuple(Weekday)
REQUIRED = ("crossing_id", "kind", "a_lat", "a_lon", "b_lat", "b_lon", "crossing_min")
OPTIONAL = (
    *("name", "a_name", "a_island", "b_name", "b_island", "length_km", "every_min", "service", "departures"),
    *(f"departures_{d}" for d in DAYS),
    *("vehicles", "cost_idr", "note"),
)
LAND_VEHICLES = {VehicleProfile.car.value, VehicleProfile.motorbike.value}


def load_crossings(base: Path, spec: str, report: Report) -> list[Crossing]:
    """Every crossing of the table, or [] with the problems in `report`."""
    table = read_table(base, spec, report, columns=REQUIRED)
    if table is None:
        return []
    check_columns(table, REQUIRED, OPTIONAL, report)
    out: list[Crossing] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        row = Row(table, number, cells, report)
        cid = row.identifier("crossing_id")
        if cid is not None and cid in seen:
            row.problem("crossing_id", f"duplicate crossing_id {cid!r}: rows {seen[cid]} and {number} both use it", cid)
        elif cid is not None:
            seen[cid] = number
        crossing = _crossing(row, cid)
        if crossing is not None:
            out.append(crossing)
    return out if report.ok else []


def _crossing(row: Row, cid: str | None) -> Crossing | None:
    kind = row.choice("kind", CrossingKind)
    ends: dict[str, float | str | None] = {}
    for end in ("a", "b"):
        ends[f"{end}_lat"] = row.number(f"{end}_lat", required=True, low=units.INDONESIA_LAT[0], high=units.INDONESIA_LAT[1])
        ends[f"{end}_lon"] = row.number(f"{end}_lon", required=True, low=units.INDONESIA_LON[0], high=units.INDONESIA_LON[1])
        ends[f"{end}_name"] = row.text(f"{end}_name")
        ends[f"{end}_island"] = row.text(f"{end}_island")
    fields = dict(
        id=cid,
        kind=kind,
        name=row.text("name"),
        crossing_min=row.number("crossing_min", required=True, integer=True, low=0, high=3 * units.DAY_MINUTES),
        length_km=row.number("length_km", low=0, high=2000),
        every_min=row.number("every_min", integer=True, low=0, low_open=True, high=7 * units.DAY_MINUTES),
        service=_service(row),
        departures=_departures(row),
        vehicles=_vehicles(row),
        cost_idr=row.number("cost_idr", default=0.0, low=0),
        **ends,
    )
    if row.failed:
        return None
    try:
        return Crossing(**fields)
    except ValidationError as exc:
        for error in exc.errors():
            loc = error["loc"]
            column = str(loc[0]) if loc else None
            value = error.get("input", NO_VALUE)
            if isinstance(value, (dict, list, tuple, set, frozenset)) or column is None:
                value = NO_VALUE
            row.problem(column, str(error["msg"]).removeprefix("Value error, "), value)
        return None


def _service(row: Row) -> TimeWindow | None:
    """The hours a frequent service sails, "06:00-18:00" (empty: all day)."""
    text = row.text("service")
    if not text:
        return None
    try:
        return TimeWindow.parse(text)
    except ValueError as exc:
        row.problem("service", f"{exc}; write e.g. 06:00-18:00", text)
        return None


def _times(row: Row, column: str) -> tuple[int, ...] | None:
    """Clock times "08:00 14:30" (separated by spaces, ',' or ';'); None when the cell is empty."""
    text = row.text(column)
    if not text:
        return None
    if text.lower() in {"none", "closed", "tutup", "-"}:
        return ()
    out = []
    for part in text.replace(",", " ").replace(";", " ").split():
        try:
            out.append(parse_clock(part))
        except ValueError as exc:
            row.problem(column, f"{exc}; write departure times like 08:00 14:30", part)
    return tuple(sorted(set(out)))


def _departures(row: Row) -> dict[Weekday, tuple[int, ...]]:
    """Departure times per weekday: `departures` for every day, `departures_<day>` overriding it."""
    every_day = _times(row, "departures")
    out = {}
    for day in DAYS:
        own = _times(row, f"departures_{day.value}")
        times = own if own is not None else every_day
        if times:
            out[day] = times
    return out


def _vehicles(row: Row) -> frozenset[VehicleProfile]:
    """Vehicles carried: car, motorbike (';' or ',' separated); default both, 'none' for foot passengers."""
    words = row.words("vehicles")
    if not words:
        return frozenset({VehicleProfile.car, VehicleProfile.motorbike})
    if words == {"none"}:
        return frozenset()
    bad = sorted(words - LAND_VEHICLES)
    if bad:
        row.problem("vehicles", f"unknown vehicle(s) {', '.join(bad)}; allowed: car, motorbike, or none", row.text("vehicles"))
        return frozenset()
    return frozenset(VehicleProfile(w) for w in words)
