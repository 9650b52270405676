"""Read the sites table(s) into `Site`s: one row one site, every problem reported at file/row/column."""

from __future__ import annotations

from pathlib import Path

from planner import units
from planner.io.fields import Origin, check_unique, construct, coordinates, required_name
from planner.io.problems import Report
from planner.io.cells import Row, parse_windows
from planner.io.tables import check_columns, read_table
from planner.model import Access, Site, SiteKind, TimeWindow, Weekday

DAYS = tuple(Weekday)
SITE_REQUIRED = ("site_id", "name", "kind", "lat", "lon", "unrecorded")
SITE_OPTIONAL = (
    *("province_code", "regency_code", "district_code", "village_code", "turnout", "priority", "hours"),
    *(f"hours_{d}" for d in DAYS),
    *("closed_dates", "electricity", "signal", "clearance", "access", "skills", "location_estimated", "note", "island"),
)


def load_sites(base: Path, specs: list[str], report: Report) -> list[tuple[Site, Origin]]:
    sites: list[tuple[Site, Origin]] = []
    ids: list[tuple[str, Origin]] = []
    for spec in specs:
        table = read_table(base, spec, report, geo=True, columns=SITE_REQUIRED)
        if table is None:
            continue
        check_columns(table, SITE_REQUIRED, SITE_OPTIONAL, report)
        if len(ids) + len(table.rows) > units.MAX_SITES:
            report.error(spec, f"{len(ids) + len(table.rows):,} sites; a scenario may have at most {units.MAX_SITES:,} "
                               "(plan a province in parts, e.g. one scenario per regency)")
            return []
        for number, cells in table.rows:
            row = Row(table, number, cells, report)
            if row.text("site_id"):
                ids.append((row.text("site_id"), (spec, number)))
            site = _site(row)
            if site is not None:
                sites.append((site, (spec, number)))
    check_unique(ids, "site_id", report)
    return sites


def _site(row: Row) -> Site | None:
    """One Site from one row (None when the row has errors, all of them reported)."""
    site_id = row.identifier("site_id")
    name = required_name(row, "name")
    kind = row.choice("kind", SiteKind)
    lat, lon = coordinates(row, "lat", "lon")
    unrecorded = _people(row, "unrecorded")
    turnout = row.number("turnout", low=0, low_open=True, high=1)
    priority = row.number("priority", default=1.0, low=0, low_open=True, high=units.MAX_PRIORITY)
    hours = _site_hours(row, kind)
    closed_dates = row.dates("closed_dates")
    electricity = row.boolean("electricity", True)
    signal = row.boolean("signal", True)
    location_estimated = row.boolean("location_estimated", False)
    access = row.choice("access", Access, Access.road)
    if row.failed or kind is None:
        return None
    fields = dict(
        id=site_id,
        name=name,
        kind=kind,
        lat=lat,
        lon=lon,
        unrecorded=unrecorded,
        turnout=turnout if turnout is not None else units.DEFAULT_TURNOUT[kind],
        priority=priority,
        hours=hours,
        closed_dates=closed_dates,
        electricity=electricity,
        signal=signal,
        clearance=row.text("clearance").lower() or ("prison" if kind == SiteKind.prison else None),
        skills=row.words("skills"),
        access=access,
        location_estimated=location_estimated,
        note=row.text("note"),
        island=row.text("island"),
        **{c: row.text(c) for c in ("province_code", "regency_code", "district_code", "village_code")},
    )
    return construct(Site, fields, row, _site_column)


def _people(row: Row, column: str) -> int | None:
    """A site's count of people: an error above MAX_SITE_PEOPLE, a warning above LARGE_SITE_PEOPLE."""
    value = row.number(column, required=True, integer=True, low=0)
    if value is not None and value > units.MAX_SITE_PEOPLE:
        row.problem(column, f"{value:,} people at one site is not a real count (at most {units.MAX_SITE_PEOPLE:,})",
                    row.text(column))
        return None
    if value is not None and value > units.LARGE_SITE_PEOPLE:
        reason = f"{value:,} people at one site is far more than any village holds; check the figure"
        row.problem(column, reason, row.text(column), warning=True)
    return None if value is None else int(value)


def _site_hours(row: Row, kind: SiteKind | None) -> dict[Weekday, tuple[TimeWindow, ...]]:
    """Opening hours per weekday: hours (Mon–Sat, default by kind), hours_<day> overrides, Sunday closed."""
    if row.text("hours"):
        base = row.windows("hours") or ()
    else:
        base = parse_windows(units.DEFAULT_SITE_HOURS[kind]) if kind is not None else ()
    hours: dict[Weekday, tuple[TimeWindow, ...]] = {}
    for day in DAYS:
        column = f"hours_{day}"
        if row.text(column):
            windows = row.windows(column) or ()
        else:
            windows = () if day == Weekday.sun else base
        if windows:
            hours[day] = windows
    return hours


def _site_column(loc: tuple[int | str, ...]) -> str | None:
    if not loc:
        return None
    if loc[0] == "id":
        return "site_id"
    if loc[0] == "hours":
        return f"hours_{loc[1]}" if len(loc) > 1 else "hours"
    return str(loc[0])

