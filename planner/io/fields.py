"""Shared helpers of the table loaders: names, coordinates, unique keys and pydantic errors mapped to
file, row and column (so every loader reports problems the same way)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from planner import units
from planner.io.problems import NO_VALUE, Report
from planner.io.cells import Row
from planner.io.tables import unknown_name_reason

Origin = tuple[str, int]  # (file as named in the scenario, row number)
M = TypeVar("M", bound=BaseModel)


def required_name(row: Row, column: str) -> str | None:
    text = row.required(column)
    if text is not None and len(text) > 200:
        row.problem(column, "too long (at most 200 characters)", text)
        return None
    return text


def coordinates(row: Row, lat_column: str, lon_column: str) -> tuple[float | None, float | None]:
    """(lat, lon) inside Indonesia's bounding box; reports out-of-range and swapped pairs."""
    lat = row.number(lat_column, required=True)
    lon = row.number(lon_column, required=True)
    if lat is None or lon is None:
        return None, None
    if lat == 0 and lon == 0:
        row.problem(lat_column, "(0, 0) is where a GPS without a fix puts a point; give the real coordinates", row.text(lat_column))
        return None, None
    (lat_lo, lat_hi), (lon_lo, lon_hi) = units.INDONESIA_LAT, units.INDONESIA_LON
    lat_ok, lon_ok = lat_lo <= lat <= lat_hi, lon_lo <= lon <= lon_hi
    if lat_ok and lon_ok:
        return lat, lon
    if lat_lo <= lon <= lat_hi and lon_lo <= lat <= lon_hi:
        row.problem(
            lat_column,
            f"lat and lon look swapped: ({lat:g}, {lon:g}) is outside Indonesia but ({lon:g}, {lat:g}) is inside",
            row.text(lat_column),
        )
        return None, None
    if not lat_ok:
        reason = f"latitude {lat:g} is outside Indonesia ({lat_lo:g} to {lat_hi:g})"
        row.problem(lat_column, reason, row.text(lat_column))
    if not lon_ok:
        reason = f"longitude {lon:g} is outside Indonesia ({lon_lo:g} to {lon_hi:g})"
        row.problem(lon_column, reason, row.text(lon_column))
    return None, None


def check_unique(keys: list[tuple[str, Origin]], column: str, report: Report) -> None:
    """Report every repeat of a key, naming the row that used it first."""
    first: dict[str, Origin] = {}
    for key, (file, row) in keys:
        if key not in first:
            first[key] = (file, row)
            continue
        first_file, first_row = first[key]
        if first_file == file:
            reason = f"duplicate {column} {key!r}: rows {first_row} and {row} both use it"
        else:
            reason = f"duplicate {column} {key!r}: {first_file} row {first_row} uses it too"
        report.error(file, reason, row=row, column=column, value=key)


def construct(model: type[M], fields: dict[str, Any], row: Row, column_of: Callable[[tuple[Any, ...]], str | None]) -> M | None:
    try:
        return model(**fields)
    except ValidationError as exc:
        pydantic_problems(exc, row.report, row.table.label, row.row_number, column_of, model)
        row.failed = True
        return None


def plain_column(loc: tuple[Any, ...]) -> str | None:
    return str(loc[0]) if loc else None


def pydantic_problems(
    exc: ValidationError,
    report: Report,
    file: str,
    row: int | None,
    column_of: Callable[[tuple[Any, ...]], str | None],
    model: type[BaseModel],
) -> None:
    """Translate a pydantic ValidationError into Problems at file/row/column."""
    for error in exc.errors():
        loc = tuple(error["loc"])
        value = error.get("input", NO_VALUE)
        if isinstance(value, (dict, list, tuple, set, frozenset, BaseModel)):
            value = NO_VALUE
        reason = message(error)
        if error["type"] == "extra_forbidden" and loc:
            reason = unknown_name_reason("key", str(loc[-1]), _field_names(model, loc[:-1]))
        report.error(file, reason, row=row, column=column_of(loc), value=value)


def _field_names(model: type[BaseModel], parent: tuple[Any, ...]) -> list[str]:
    return list(model.model_fields) if not parent else []


def message(error: Mapping[str, Any]) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def dotted(prefix: str, loc: tuple[Any, ...]) -> str:
    return ".".join([prefix, *map(str, loc)])
