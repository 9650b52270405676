"""Tests of planner.compile.matrix_file beyond tests/planner/test_travel.py: line numbers stay the file's
own (blank lines, CRLF), ragged and non-UTF-8 files are named, and a large file gives the exact matrix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from planner.compile.matrices import Points, TravelError
from planner.compile.matrix_file import FileMatrixProvider
from planner.model import VehicleProfile

ABC = Points(("a", "b", "c"), [-1.6, -1.7, -1.8], [103.6, 103.5, 103.4])
HEADER = "from_id,to_id,duration_min,distance_km,profile\n"
FULL = HEADER + "a,b,10,8,\nb,a,11,8.5,\na,c,20,15,\nc,a,21,15.5,\nb,c,30,22,\nc,b,31,22.5,\n"


def matrices(tmp_path: Path, text: str, profile: VehicleProfile = VehicleProfile.car, **kw):
    path = tmp_path / "m.csv"
    path.write_bytes(text.encode(kw.get("encoding", "utf-8")))
    return FileMatrixProvider(path).matrices(ABC, profile)


def test_blank_lines_do_not_shift_line_numbers(tmp_path: Path) -> None:
    text = FULL.replace("a,c,20", "\n\na,c,20") + "a,b,x,1,\n"  # two blank lines: the bad row is line 10
    with pytest.raises(TravelError, match=r"line 10: duration_min 'x'"):
        matrices(tmp_path, text)


def test_crlf_spaces_quotes_and_bom_are_read(tmp_path: Path) -> None:
    text = "\ufeff" + FULL.replace("a,b,10,8,", '" a ", b , 10 ,"8",').replace("\n", "\r\n")
    m = matrices(tmp_path, text)
    assert m.duration_min.tolist() == [[0, 10, 20], [11, 0, 30], [21, 31, 0]]


def test_a_ragged_row_is_named(tmp_path: Path) -> None:
    with pytest.raises(TravelError, match=r"line 4: 6 values but the header has 5 columns"):
        matrices(tmp_path, HEADER + "a,b,1,1,\nb,a,1,1,\na,c,1,1,,x\n")


def test_a_short_row_is_named(tmp_path: Path) -> None:
    with pytest.raises(TravelError, match=r"line 3: duration_min '' is not a finite number"):
        matrices(tmp_path, HEADER + "a,b,1,1,\nb,a\n")


def test_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(TravelError, match="not UTF-8"):
        matrices(tmp_path, FULL + "a,\u00e9,1,1,\n", encoding="cp1252")


def test_an_empty_file_lacks_the_columns(tmp_path: Path) -> None:
    with pytest.raises(TravelError, match="missing column"):
        matrices(tmp_path, "")


def test_the_first_bad_row_in_file_order_is_reported(tmp_path: Path) -> None:
    with pytest.raises(TravelError, match=r"line 3: unknown profile 'bus'"):
        matrices(tmp_path, HEADER + "a,b,1,1,\na,b,x,1,bus\n,b,1,1,\n")


def test_a_profiles_own_row_wins_in_any_order(tmp_path: Path) -> None:
    m = matrices(tmp_path, HEADER + "a,b,5,4,motorbike\n" + FULL[len(HEADER):], VehicleProfile.motorbike)
    assert (m.duration_min[0, 1], m.distance_km[0, 1], m.duration_min[1, 0]) == (5, 4, 11)


def test_one_read_serves_every_profile(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(FULL)
    provider = FileMatrixProvider(path)
    car = provider.matrices(ABC, VehicleProfile.car)
    path.write_text("garbage")  # already read: the second profile uses the rows checked once
    assert np.array_equal(provider.matrices(ABC, VehicleProfile.boat).duration_min, car.duration_min)


def test_a_large_file_gives_the_exact_matrix(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n = 120
    ids = [f"S{i:04d}" for i in range(n)]
    dur, dist = rng.uniform(1, 300, (n, n)).round(3), rng.uniform(1, 200, (n, n)).round(3)
    lines = [HEADER.strip()] + [f"{ids[i]},{ids[j]},{float(dur[i, j])!r},{float(dist[i, j])!r},"
                                for i in rng.permutation(n) for j in range(n) if i != j]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    order = rng.permutation(n)
    points = Points(tuple(ids[k] for k in order), np.full(n, -1.6), np.full(n, 103.6))
    m = FileMatrixProvider(path).matrices(points, VehicleProfile.car)
    np.fill_diagonal(dur, 0)
    np.fill_diagonal(dist, 0)
    assert np.array_equal(m.duration_min, dur[np.ix_(order, order)])
    assert np.array_equal(m.distance_km, dist[np.ix_(order, order)])


def test_a_pair_twice_after_blank_lines_names_its_own_line(tmp_path: Path) -> None:
    text = FULL.replace("a,c,20", "\n\na,c,20") + "c,b,31,22.5,\n"  # the good file is read fast, then again for the line
    with pytest.raises(TravelError, match=r"line 10: pair c→b \(all profiles\) appears twice"):
        matrices(tmp_path, text)


def test_fast_and_exact_reads_agree(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(FULL + "a,b,7.5,8,motorbike\n")
    provider = FileMatrixProvider(path)
    fast, exact = provider._read_fast(), provider._read_exact()
    assert fast is not None and fast.line is None and list(exact.line) == list(range(2, 9))
    for p in (VehicleProfile.car, VehicleProfile.motorbike):
        provider._rows = fast
        a = provider.matrices(ABC, p)
        provider._rows = exact
        b = provider.matrices(ABC, p)
        assert np.array_equal(a.duration_min, b.duration_min) and np.array_equal(a.distance_km, b.distance_km)
