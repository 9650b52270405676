"""The I/O code paths #22 replaced, kept only so bench/io_speed.py can measure before and after in one run.

Copied from main at ac2313c (planner/io/tables.py `_read_xlsx`, planner/io/export.py `write_roster_xlsx`,
planner/compile/travel.py `FileMatrixProvider`); not used by jemput. openpyxl is in the `bench` extra for this.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from planner.compile.matrices import Matrices, Points, TravelError, expand
from planner.io.export import roster_columns, roster_rows
from planner.io.tables import cell_text
from planner.model import Scenario, VehicleProfile
from planner.plan import Plan

FILE_COLUMNS = ("from_id", "to_id", "duration_min", "distance_km")


def read_xlsx_openpyxl(path: Path, sheet: str | None = None) -> list[list[str]]:
    """The old reader: openpyxl read-only, every cell through cell_text (from A1)."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        worksheet = workbook.worksheets[0] if sheet is None else workbook[sheet]
        rows = worksheet.iter_rows(min_row=1, min_col=1, values_only=True)
        return [[cell_text(v) for v in r] for r in rows]
    finally:
        workbook.close()


def write_roster_xlsx_openpyxl(scenario: Scenario, plan: Plan, path: Path, lang: str = "id") -> Path:
    """The old roster writer (openpyxl; a name starting with '=' became a live formula)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    rows = roster_rows(scenario, plan, lang)
    for team in scenario.teams:
        ws = wb.create_sheet("".join("_" if ch in "[]:*?/\\" else ch for ch in team.id)[:31])
        ws.append(roster_columns(plan, lang))
        for row in (r for r in rows if r[0] == team.id):
            ws.append(row)
        for i, name in enumerate(roster_columns(plan, lang), start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, len(name) + 2)
        ws.freeze_panes = "A2"
    wb.save(path)
    return path


@dataclass(frozen=True)
class _Row:
    line: int
    src: str
    dst: str
    duration_min: float
    distance_km: float
    profile: str | None


class CsvFileMatrixProvider:
    """Road km and minutes from a long-format CSV: from_id,to_id,duration_min,distance_km[,profile]."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.is_file():
            raise TravelError(f"travel matrix file not found: {self.path}")

    def matrices(self, points: Points, profile: VehicleProfile) -> Matrices:
        """Matrices for the requested ids; every ordered pair of distinct ids must be in the file."""
        p = str(VehicleProfile(profile))
        ids, inverse = np.unique(np.array(points.ids, dtype=object), return_inverse=True)
        index = {str(i): k for k, i in enumerate(ids)}
        m = len(ids)
        dist, dur = np.zeros((m, m)), np.zeros((m, m))
        level = np.zeros((m, m), dtype=np.int8)  # 0 unset, 1 from a row for all profiles, 2 for this profile
        for row in self._rows():
            self._apply(row, p, index, dist, dur, level)
        self._check_complete(level, [str(i) for i in ids], p)
        inv = inverse.reshape(-1)
        return Matrices(distance_km=expand(dist, inv), duration_min=expand(dur, inv))

    def _apply(self, row: _Row, profile: str, index: dict[str, int], dist: np.ndarray, dur: np.ndarray,
               level: np.ndarray) -> None:
        """Put one row into the matrices if it concerns them; a profile's own row beats a general one."""
        if row.profile not in (None, profile) or row.src == row.dst:
            return
        i, j = index.get(row.src), index.get(row.dst)
        if i is None or j is None:
            return
        rank = 2 if row.profile else 1
        if level[i, j] == rank:
            which = f"profile {row.profile}" if row.profile else "all profiles"
            raise TravelError(f"{self.path} line {row.line}: pair {row.src}→{row.dst} ({which}) appears twice")
        if level[i, j] < rank:
            dist[i, j], dur[i, j], level[i, j] = row.distance_km, row.duration_min, rank

    def _check_complete(self, level: np.ndarray, ids: list[str], profile: str) -> None:
        """Raise naming the first missing pairs when the file does not cover every requested pair."""
        missing = level == 0
        np.fill_diagonal(missing, False)
        rows, cols = np.nonzero(missing)
        if rows.size:
            examples = ", ".join(f"{ids[i]}→{ids[j]}" for i, j in zip(rows[:5], cols[:5]))
            raise TravelError(
                f"{self.path} lacks {rows.size} of {len(ids) * (len(ids) - 1)} pairs needed for {profile} "
                f"(from_id→to_id), e.g. {examples}"
            )

    def _rows(self) -> Iterator[_Row]:
        """Validated rows of the file, with their line numbers."""
        with self.path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            self._check_header(reader.fieldnames)
            for rec in reader:
                yield self._parse_row(rec, reader.line_num)

    def _check_header(self, fieldnames: list[str] | None) -> None:
        missing = [c for c in FILE_COLUMNS if c not in (fieldnames or [])]
        if missing:
            raise TravelError(
                f"{self.path}: missing column(s) {', '.join(missing)}; need {','.join(FILE_COLUMNS)}[,profile]"
            )

    def _parse_row(self, rec: dict[str, Any], line: int) -> _Row:
        """One CSV record → _Row, or a TravelError naming the file, line and bad value."""
        src, dst = (str(rec.get(c) or "").strip() for c in ("from_id", "to_id"))
        if not src or not dst:
            raise TravelError(f"{self.path} line {line}: from_id and to_id must not be empty")
        prof = str(rec.get("profile") or "").strip() or None
        if prof is not None and prof not in {v.value for v in VehicleProfile}:
            raise TravelError(f"{self.path} line {line}: unknown profile {prof!r} (car, motorbike or boat)")
        values = [_non_negative(rec.get(c), c, self.path, line) for c in ("duration_min", "distance_km")]
        return _Row(line, src, dst, values[0], values[1], prof)


def _non_negative(text: Any, column: str, path: Path, line: int) -> float:
    """A finite number ≥ 0 from a CSV cell, or a TravelError naming the cell."""
    try:
        value = float(str(text).strip())
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise TravelError(f"{path} line {line}: {column} {text!r} is not a finite number ≥ 0")
    return value


