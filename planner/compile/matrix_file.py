"""Road km and minutes from a long-format CSV matrix supplied with the scenario:
from_id,to_id,duration_min,distance_km[,profile].

The file is read whole by pandas (`read_csv` as text, `to_numeric`, `Index.get_indexer` and one numpy
assignment per rank; about 16× faster than a csv.DictReader loop, bench/io_speed.py) and checked
column-wise: the first malformed row in the file (empty id, unknown profile, a number that is not
finite and ≥ 0) is reported with its line (the header is line 1), then the first pair given twice. Kept hand-written: the rules, one place each — a profile's own row beats a
row for all profiles, a pair given twice at the same rank is an error, every requested pair must be
present — because they are jemput's, not a CSV library's.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from planner.compile.matrices import Matrices, Points, TravelError, expand
from planner.model import VehicleProfile

FILE_COLUMNS = ("from_id", "to_id", "duration_min", "distance_km")
PROFILES = frozenset(v.value for v in VehicleProfile)
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


class FileMatrixProvider:
    """Road km and minutes from a long-format CSV: from_id,to_id,duration_min,distance_km[,profile]."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.is_file():
            raise TravelError(f"travel matrix file not found: {self.path}")
        self._table: pd.DataFrame | None = None  # the checked rows, read once for every profile asked

    def matrices(self, points: Points, profile: VehicleProfile) -> Matrices:
        """Matrices for the requested ids; every ordered pair of distinct ids must be in the file."""
        p = str(VehicleProfile(profile))
        ids, inverse = np.unique(np.array(points.ids, dtype=object), return_inverse=True)
        table = self._checked()
        m = len(ids)
        index = pd.Index([str(i) for i in ids])
        i, j = index.get_indexer(table["src"]), index.get_indexer(table["dst"])
        rank = np.where(table["profile"].to_numpy() == "", 1, 2).astype(np.int8)
        use = (i >= 0) & (j >= 0) & (i != j) & ((table["profile"] == "") | (table["profile"] == p)).to_numpy()
        self._check_twice(table, use, i, j, rank)
        dist, dur = np.zeros((m, m)), np.zeros((m, m))
        level = np.zeros((m, m), dtype=np.int8)  # 0 unset, 1 from a row for all profiles, 2 for this profile
        for r in (1, 2):  # rank 2 (this profile's own rows) written last, so it wins
            sel = use & (rank == r)
            dist[i[sel], j[sel]] = table["distance_km"].to_numpy()[sel]
            dur[i[sel], j[sel]] = table["duration_min"].to_numpy()[sel]
            level[i[sel], j[sel]] = r
        self._check_complete(level, [str(x) for x in ids], p)
        inv = inverse.reshape(-1)
        return Matrices(distance_km=expand(dist, inv), duration_min=expand(dur, inv))

    def _checked(self) -> pd.DataFrame:
        """src, dst, profile ('' = all), duration_min, distance_km and line of every row, or a TravelError
        naming the first bad row's line."""
        if self._table is None:
            self._table = self._read()
        return self._table

    def _read(self) -> pd.DataFrame:
        try:
            raw = pd.read_csv(
                self.path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
                skip_blank_lines=False, index_col=False,
            )
        except UnicodeDecodeError as exc:
            raise TravelError(f"{self.path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as CSV UTF-8") from None
        except pd.errors.EmptyDataError:
            raw = pd.DataFrame()
        except pd.errors.ParserError as exc:
            ragged = _RAGGED.search(str(exc))
            if ragged:
                expected, line, saw = ragged.groups()
                raise TravelError(f"{self.path} line {line}: {saw} values but the header has {expected} columns") from None
            raise TravelError(f"{self.path}: not a readable CSV ({str(exc).strip()})") from None
        raw.columns = [str(c).strip() for c in raw.columns]
        missing = [c for c in FILE_COLUMNS if c not in raw.columns]
        if missing:
            raise TravelError(
                f"{self.path}: missing column(s) {', '.join(missing)}; need {','.join(FILE_COLUMNS)}[,profile]"
            )
        cells = {c: raw[c].fillna("").astype(str).str.strip() for c in (*FILE_COLUMNS, "profile") if c in raw}
        profile = cells.get("profile", pd.Series("", index=raw.index))
        blank = np.logical_and.reduce([(s == "").to_numpy() for s in cells.values()])  # empty lines are skipped
        table = pd.DataFrame({
            "line": raw.index.to_numpy() + 2,
            "src": cells["from_id"], "dst": cells["to_id"], "profile": profile,
            "duration_min": pd.to_numeric(cells["duration_min"], errors="coerce"),
            "distance_km": pd.to_numeric(cells["distance_km"], errors="coerce"),
        })[~blank].reset_index(drop=True)
        self._check_rows(table, cells)
        return table

    def _check_rows(self, table: pd.DataFrame, cells: dict[str, pd.Series]) -> None:
        """Raise for the first row (in file order) with an empty id, unknown profile or a bad number."""
        checks = [  # in the order a row is read: ids, profile, minutes, km
            ((table["src"] == "") | (table["dst"] == ""), lambda r: "from_id and to_id must not be empty"),
            ((table["profile"] != "") & ~table["profile"].isin(PROFILES),
             lambda r: f"unknown profile {table['profile'][r]!r} (car, motorbike or boat)"),
        ]
        for column in ("duration_min", "distance_km"):
            values = table[column].to_numpy(dtype=np.float64)
            with np.errstate(invalid="ignore"):
                bad = ~(np.isfinite(values) & (values >= 0))
            checks.append((bad, lambda r, c=column: (
                f"{c} {cells[c].iloc[int(table['line'][r]) - 2]!r} is not a finite number ≥ 0")))
        flags = np.column_stack([np.asarray(flag, dtype=bool) for flag, _ in checks])
        rows = np.flatnonzero(flags.any(axis=1))
        if rows.size:
            r = int(rows[0])
            _, reason = checks[int(np.argmax(flags[r]))]
            raise TravelError(f"{self.path} line {table['line'][r]}: {reason(r)}")

    def _check_twice(self, table: pd.DataFrame, use: np.ndarray, i: np.ndarray, j: np.ndarray,
                     rank: np.ndarray) -> None:
        """Raise at the second row giving the same requested pair at the same rank."""
        pairs = pd.DataFrame({"i": i[use], "j": j[use], "rank": rank[use]})
        twice = np.flatnonzero(pairs.duplicated().to_numpy())
        if twice.size:
            r = int(np.flatnonzero(use)[twice[0]])
            src, dst, prof = table["src"][r], table["dst"][r], table["profile"][r]
            which = f"profile {prof}" if prof else "all profiles"
            raise TravelError(f"{self.path} line {table['line'][r]}: pair {src}→{dst} ({which}) appears twice")

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
