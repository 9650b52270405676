"""Read the optional district offices table (which districts have a working fixed recording kit)."""

from __future__ import annotations

from pathlib import Path

from planner.io.fields import Origin, check_unique, construct, plain_column
from planner.io.problems import Report
from planner.io.cells import Row
from planner.io.tables import check_columns, read_table
from planner.model import DistrictOffice

OFFICE_REQUIRED = ("district_code", "fixed_kit_working")
OFFICE_OPTIONAL = ("name",)


def load_offices(base: Path, spec: str, report: Report) -> list[DistrictOffice]:
    table = read_table(base, spec, report, optional=True, columns=OFFICE_REQUIRED)
    if table is None:
        return []
    check_columns(table, OFFICE_REQUIRED, OFFICE_OPTIONAL, report)
    offices: list[DistrictOffice] = []
    codes: list[tuple[str, Origin]] = []
    for number, cells in table.rows:
        row = Row(table, number, cells, report)
        code = row.required("district_code")
        working = row.boolean("fixed_kit_working", True) if row.required("fixed_kit_working") else None
        if code:
            codes.append((code, (spec, number)))
        if not row.failed:
            fields = dict(district_code=code, name=row.text("name"), fixed_kit_working=working)
            office = construct(DistrictOffice, fields, row, plain_column)
            if office is not None:
                offices.append(office)
    check_unique(codes, "district_code", report)
    return offices

