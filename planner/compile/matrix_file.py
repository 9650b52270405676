"""Road km and minutes from a long-format CSV matrix supplied with the scenario:
from_id,to_id,duration_min,distance_km[,profile].

pandas reads the file (bench/io_speed.py: ~16× faster than the csv.DictReader loop it replaced): a good
file in one C-parser pass with the ids as categories (1,592 names, not 2.5 million strings) and the
numbers as float64, then numpy puts the rows into the matrices (`Index.get_indexer`, `bincount`, one
assignment per rank). A file that fails any check is read again exactly, as text with its own line
numbers (the header is line 1, blank lines counted), and the first malformed row (empty id, unknown
profile, a number that is not finite and ≥ 0) or else the first pair given twice is reported.
Kept hand-written: the rules, one place each — a profile's own row beats a row for all profiles, a
pair given twice at the same rank is an error, every requested pair must be present — because they
are jemput's, not a CSV library's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from planner.compile.matrices import Matrices, Points, TravelError, expand
from planner.model import VehicleProfile

if TYPE_CHECKING:
    import pandas as pd

FILE_COLUMNS = ("from_id", "to_id", "duration_min", "distance_km")
PROFILES = frozenset(v.value for v in VehicleProfile)
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


@dataclass(frozen=True)
class _Rows:
    """The file's data rows (blank lines left out), ids and profiles as codes into their names."""

    src: np.ndarray  # codes into src_names
    src_names: pd.Index
    dst: np.ndarray
    dst_names: pd.Index
    profile: np.ndarray  # codes into profile_names ('' = all profiles)
    profile_names: list[str]
    duration_min: np.ndarray
    distance_km: np.ndarray
    line: np.ndarray | None  # each row's line in the file; None when read by the fast path


class FileMatrixProvider:
    """Road km and minutes from a long-format CSV: from_id,to_id,duration_min,distance_km[,profile]."""

    per_pair = True  # a pair's figures do not depend on the other points (the validator builds only what a plan uses)

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.is_file():
            raise TravelError(f"travel matrix file not found: {self.path}")
        self._rows: _Rows | None = None  # the checked rows, read once for every profile asked

    def matrices(self, points: Points, profile: VehicleProfile) -> Matrices:
        """Matrices for the requested ids; every ordered pair of distinct ids must be in the file."""
        import pandas as pd  # imported when a matrix file is read: not on every start-up
        p = str(VehicleProfile(profile))
        ids, inverse = np.unique(np.array(points.ids, dtype=object), return_inverse=True)
        rows = self._checked()
        m = len(ids)
        index = pd.Index([str(x) for x in ids])
        i = index.get_indexer(rows.src_names)[rows.src]
        j = index.get_indexer(rows.dst_names)[rows.dst]
        rank = np.array([1 if name == "" else 2 for name in rows.profile_names], dtype=np.int64)[rows.profile]
        wanted = np.array([name in ("", p) for name in rows.profile_names], dtype=bool)[rows.profile]
        use = np.flatnonzero((i >= 0) & (j >= 0) & (i != j) & wanted)
        self._check_twice(rows, use, (i[use] * m + j[use]) * 2 + rank[use] - 1, m)
        dist, dur = np.zeros((m, m)), np.zeros((m, m))
        level = np.zeros((m, m), dtype=np.int8)  # 0 unset, 1 from a row for all profiles, 2 for this profile
        for r in (1, 2):  # rank 2 (this profile's own rows) written last, so it wins
            sel = use[rank[use] == r]
            dist[i[sel], j[sel]] = rows.distance_km[sel]
            dur[i[sel], j[sel]] = rows.duration_min[sel]
            level[i[sel], j[sel]] = r
        self._check_complete(level, [str(x) for x in ids], p)
        inv = inverse.reshape(-1)
        return Matrices(distance_km=expand(dist, inv), duration_min=expand(dur, inv))

    def _checked(self) -> _Rows:
        if self._rows is None:
            self._rows = self._read_fast() or self._read_exact()
        return self._rows

    # ------------------------------------------------------------------ reading

    def _read_fast(self) -> _Rows | None:
        """One C-parser pass for a good file; None when anything is off (the exact read then says what)."""
        import pandas as pd  # imported when a matrix file is read: not on every start-up
        try:
            raw = pd.read_csv(
                self.path, dtype={"from_id": "category", "to_id": "category", "profile": "category"},
                keep_default_na=False, encoding="utf-8-sig", index_col=False, skipinitialspace=True,
            )
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
            return None
        raw.columns = [str(c).strip() for c in raw.columns]
        if any(c not in raw.columns for c in FILE_COLUMNS) or raw.columns.duplicated().any():
            return None
        numbers = []
        for column in ("duration_min", "distance_km"):
            if raw[column].dtype.kind not in "iuf":
                return None
            values = raw[column].to_numpy(dtype=np.float64)
            if not (np.isfinite(values) & (values >= 0)).all():
                return None
            numbers.append(values)
        codes = {}
        for column in ("from_id", "to_id", "profile"):
            if column not in raw:
                codes[column] = (np.zeros(len(raw), dtype=np.int64), pd.Index([""]))
                continue
            series = raw[column]
            if series.dtype != "category":
                return None
            names = pd.Index([str(n).strip() for n in series.cat.categories])
            found = series.cat.codes.to_numpy().astype(np.int64)
            if (found < 0).any():
                return None
            codes[column] = (found, names)
        if (codes["from_id"][1] == "").any() or (codes["to_id"][1] == "").any():
            return None
        if not set(codes["profile"][1]) <= PROFILES | {""}:
            return None
        return _Rows(*codes["from_id"], *codes["to_id"], codes["profile"][0], list(codes["profile"][1]),
                     numbers[0], numbers[1], line=None)

    def _read_exact(self) -> _Rows:
        """Every cell as text with its line; a TravelError naming the first malformed row."""
        import pandas as pd  # imported when a matrix file is read: not on every start-up
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
        cells.setdefault("profile", pd.Series("", index=raw.index))
        keep = ~np.logical_and.reduce([(s == "").to_numpy() for s in cells.values()])  # empty lines are skipped
        cells = {c: s[keep].reset_index(drop=True) for c, s in cells.items()}
        line = raw.index.to_numpy()[keep] + 2
        numbers = {c: pd.to_numeric(cells[c], errors="coerce").to_numpy(dtype=np.float64)
                   for c in ("duration_min", "distance_km")}
        self._check_rows(cells, numbers, line)
        src, src_names = pd.factorize(cells["from_id"])
        dst, dst_names = pd.factorize(cells["to_id"])
        prof, prof_names = pd.factorize(cells["profile"])
        return _Rows(src, pd.Index(src_names), dst, pd.Index(dst_names), prof, [str(n) for n in prof_names],
                     numbers["duration_min"], numbers["distance_km"], line)

    def _check_rows(self, cells: dict[str, pd.Series], numbers: dict[str, np.ndarray], line: np.ndarray) -> None:
        """Raise for the first row (in file order) with an empty id, unknown profile or a bad number."""
        profile = cells["profile"]
        checks: list[tuple[np.ndarray, Callable[[int], str]]] = [  # in the order a row is read: ids, profile, minutes, km
            (((cells["from_id"] == "") | (cells["to_id"] == "")).to_numpy(),
             lambda r: "from_id and to_id must not be empty"),
            (((profile != "") & ~profile.isin(PROFILES)).to_numpy(),
             lambda r: f"unknown profile {profile[r]!r} (car, motorbike or boat)"),
        ]
        for column in ("duration_min", "distance_km"):
            with np.errstate(invalid="ignore"):
                bad = ~(np.isfinite(numbers[column]) & (numbers[column] >= 0))
            checks.append((bad, _not_a_number(cells, column)))
        flags = np.column_stack([flag for flag, _ in checks]) if len(line) else np.zeros((0, 4), dtype=bool)
        rows = np.flatnonzero(flags.any(axis=1))
        if rows.size:
            r = int(rows[0])
            _, reason = checks[int(np.argmax(flags[r]))]
            raise TravelError(f"{self.path} line {line[r]}: {reason(r)}")

    # ------------------------------------------------------------------ rules

    def _check_twice(self, rows: _Rows, use: np.ndarray, keys: np.ndarray, m: int) -> None:
        """Raise at the second row giving the same requested pair at the same rank."""
        import pandas as pd  # imported when a matrix file is read: not on every start-up
        if keys.size == 0 or np.bincount(keys, minlength=2 * m * m).max() <= 1:
            return
        twice = int(use[np.flatnonzero(pd.Series(keys).duplicated().to_numpy())[0]])
        src, dst = rows.src_names[rows.src[twice]], rows.dst_names[rows.dst[twice]]
        prof = rows.profile_names[rows.profile[twice]]
        line = rows.line if rows.line is not None else self._read_exact().line  # the fast path kept no lines
        assert line is not None  # the exact read keeps every row's line
        which = f"profile {prof}" if prof else "all profiles"
        raise TravelError(f"{self.path} line {line[twice]}: pair {src}→{dst} ({which}) appears twice")

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


def _not_a_number(cells: dict[str, pd.Series], column: str) -> Callable[[int], str]:
    """The reason row r of `column` is refused."""
    return lambda r: f"{column} {cells[column][r]!r} is not a finite number ≥ 0"
