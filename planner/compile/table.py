"""Travel between a scenario's points computed on demand, for providers whose figures for a pair
depend on its two ends alone (the great-circle estimate): no point × point matrix is ever held.

A province-wide dense matrix costs 4 bytes per pair and profile (9,000 sites: 330 MB per profile, three
profiles and the km beside them 2 GB, more while built). The planner only ever reads a small part of
it: rows and columns of the places days start and end at (team bases, lodgings), each part's own
sites, the legs a plan drives. A `TravelTable` answers numpy-style reads — `t[i, j]`, `t[i, cols]`,
`t[rows, j]`, `t[np.ix_(rows, cols)]` — from the provider, keeps the rows and columns read as vectors
(those of the places days start and end at, few and read often), and gives exactly what the dense
matrix would: the same arithmetic, the same whole-minute rounding (`whole_minutes`).
Measured: bench/results/robustness.md (peak memory per province size).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from planner.compile.matrices import UNREACHABLE_MIN, Points, whole_minutes

# (lat1, lon1, lat2, lon2) broadcast like numpy → (km, minutes) as float64, unrounded
PairTravel = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
MAX_CACHED_VECTORS = 4096  # rows + columns kept (9,000 points: 36 KB each)
BLOCK_ENTRIES = 1 << 21  # a block read is computed in row chunks of about this many pairs


class TravelTable:
    """Whole minutes (int32) or km (float32) between points, computed on demand (see module doc).

    `closed`: point pairs (both directions listed) read as impossible (`UNREACHABLE_MIN`), for a
    day's closed links; a view made by `with_closed` shares the cache of the table it came from.
    """

    def __init__(self, points: Points, travel: PairTravel, kind: str = "min",
                 closed: frozenset[tuple[int, int]] = frozenset(), _cache: dict[str, dict[tuple[str, int], np.ndarray]] | None = None):
        if kind not in ("min", "km"):
            raise ValueError(f"TravelTable kind must be 'min' or 'km', got {kind!r}")
        self.lat, self.lon = points.lat, points.lon
        self.travel, self.kind = travel, kind
        self.closed = closed
        self._closed_from: dict[int, set[int]] = {}
        for a, b in closed:
            self._closed_from.setdefault(int(a), set()).add(int(b))
        self._cache = {"row": {}, "col": {}} if _cache is None else _cache
        self.dtype = np.dtype(np.int32 if kind == "min" else np.float32)

    @property
    def shape(self) -> tuple[int, int]:
        n = len(self.lat)
        return n, n

    def with_closed(self, pairs: frozenset[tuple[int, int]]) -> TravelTable:
        """The same table with these point pairs impossible as well (cache shared)."""
        points = Points(ids=tuple(str(i) for i in range(len(self.lat))), lat=self.lat, lon=self.lon)
        return TravelTable(points, self.travel, self.kind, frozenset(self.closed | pairs), self._cache)

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, tuple) or len(key) != 2:
            raise TypeError("a TravelTable is read as t[rows, cols]")
        i, j = key
        if isinstance(i, (int, np.integer)) and isinstance(j, (int, np.integer)):
            return self._scalar(int(i), int(j))
        n = self.shape[0]
        r, c = (np.arange(*k.indices(n)) if isinstance(k, slice) else np.asarray(k) for k in key)
        if r.ndim == 0 and c.ndim == 0:
            return self._scalar(int(r), int(c))
        if r.ndim == 0 and c.ndim == 1:
            return self._vector("row", int(r))[c]
        if c.ndim == 0 and r.ndim == 1:
            return self._vector("col", int(c))[r]
        return self._compute(r, c)

    def _scalar(self, i: int, j: int) -> Any:
        row, col = self._cache["row"].get((self.kind, i)), self._cache["col"].get((self.kind, j))
        if row is not None and not self.closed:
            return row[j]
        if col is not None and not self.closed:
            return col[i]
        return self._compute(np.asarray(i), np.asarray(j))[()]

    def _vector(self, which: str, k: int) -> np.ndarray:
        """Row or column `k` over every point, kept (the closed pairs applied on a copy)."""
        cache = self._cache[which]
        key = (self.kind, k)
        v = cache.get(key)
        if v is None:
            everyone = np.arange(self.shape[0])
            v = self._raw(np.asarray(k), everyone) if which == "row" else self._raw(everyone, np.asarray(k))
            v.setflags(write=False)
            if len(cache) >= MAX_CACHED_VECTORS:
                cache.pop(next(iter(cache)))
            cache[key] = v
        if not self.closed:
            return v
        everyone = np.arange(self.shape[0])
        return self._close(v.copy(), *((np.asarray(k), everyone) if which == "row" else (everyone, np.asarray(k))))

    def _compute(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        return self._close(self._raw(r, c), r, c)

    def _raw(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Values at the broadcast of index arrays r and c (an np.ix_ pair stays an outer product, so
        each row's and column's trigonometry is done once), computed in chunks of rows."""
        r, c = np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64)
        shape = np.broadcast_shapes(r.shape, c.shape)
        out = np.empty(shape, dtype=self.dtype)
        if out.size == 0:
            return out
        if out.ndim == 0:
            out[()] = self._values(r, c)
            return out
        r, c = r.reshape((1,) * (out.ndim - r.ndim) + r.shape), c.reshape((1,) * (out.ndim - c.ndim) + c.shape)
        step = max(1, BLOCK_ENTRIES // max(1, out[0].size))
        for k0 in range(0, shape[0], step):
            rk = r[k0 : k0 + step] if r.shape[0] > 1 else r
            ck = c[k0 : k0 + step] if c.shape[0] > 1 else c
            out[k0 : k0 + step] = self._values(rk, ck)
        return out

    def _values(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        km, minutes = self.travel(self.lat[r], self.lon[r], self.lat[c], self.lon[c])
        same = r == c  # the diagonal is zero, as in every dense matrix
        if self.kind == "min":
            return np.where(same, 0, whole_minutes(minutes, np.int32))
        return np.where(same, 0.0, km)

    def _close(self, values: np.ndarray, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Closed pairs set to impossible in values read at the broadcast of r and c."""
        if not self._closed_from or self.kind != "min":
            return values
        rr, cc = np.broadcast_arrays(r, c)
        for a, bs in self._closed_from.items():
            hit = (rr == a) & np.isin(cc, list(bs))
            if hit.any():
                values = np.array(values, copy=True)
                values[hit] = UNREACHABLE_MIN
        return values

    def copy(self) -> TravelTable:
        """The table itself: it is read-only."""
        return self
