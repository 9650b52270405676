"""Tests of planner.compile.travel: great-circle geometry, rounding, file matrices, and the routing-server client
against small fake OSRM/Valhalla servers on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.model import TravelSettings, VehicleProfile
from planner.compile.travel import (
    UNREACHABLE_MIN,
    FileMatrixProvider,
    GreatCircleProvider,
    Matrices,
    Points,
    RoutingServerProvider,
    TravelError,
    great_circle_km,
    provider_for,
    whole_minutes,
)

JAMBI_CITY = (-1.6, 103.6167)
SUNGAI_PENUH = (-2.0561, 101.3913)


def jambi_points(n: int, seed: int = 7) -> Points:
    rng = np.random.default_rng(seed)
    return Points(tuple(f"s{i}" for i in range(n)), rng.uniform(-2.8, -0.7, n), rng.uniform(101.1, 104.5, n))


def textbook_haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


# ---------------------------------------------------------------- great circle


def test_known_distance_jambi_city_to_sungai_penuh() -> None:
    assert float(great_circle_km(*JAMBI_CITY, *SUNGAI_PENUH)) == pytest.approx(252, abs=3)


def test_great_circle_broadcasts() -> None:
    lat = np.array([JAMBI_CITY[0], SUNGAI_PENUH[0]])
    lon = np.array([JAMBI_CITY[1], SUNGAI_PENUH[1]])
    d = great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    assert d.shape == (2, 2)
    assert d[0, 1] == d[1, 0] == pytest.approx(252, abs=3)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(-11, 6), st.floats(95, 141), st.floats(-11, 6), st.floats(95, 141),
)
def test_great_circle_matches_textbook_formula(lat1: float, lon1: float, lat2: float, lon2: float) -> None:
    got = float(great_circle_km(lat1, lon1, lat2, lon2))
    assert got == pytest.approx(textbook_haversine_km(lat1, lon1, lat2, lon2), abs=1e-6)


def test_matrix_symmetric_zero_diagonal_and_nonnegative() -> None:
    m = GreatCircleProvider().matrices(jambi_points(300), VehicleProfile.car)
    assert m.distance_km.shape == m.duration_min.shape == (300, 300)
    assert m.distance_km.dtype == m.duration_min.dtype == np.float64
    assert np.array_equal(m.distance_km, m.distance_km.T)
    assert np.array_equal(m.duration_min, m.duration_min.T)
    assert not m.distance_km.diagonal().any() and not m.duration_min.diagonal().any()
    assert (m.distance_km[~np.eye(300, dtype=bool)] > 0).all()


def test_matrix_rows_match_pairwise_haversine() -> None:
    pts = jambi_points(40)
    m = GreatCircleProvider(circuity={"car": 1.0}).matrices(pts, VehicleProfile.car)
    for i, j in [(0, 1), (5, 39), (39, 5), (17, 22)]:
        ref = textbook_haversine_km(pts.lat[i], pts.lon[i], pts.lat[j], pts.lon[j])
        assert m.distance_km[i, j] == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("profile", list(VehicleProfile))
def test_duration_is_km_times_circuity_over_speed(profile: VehicleProfile) -> None:
    speed = {"car": 30.0, "motorbike": 25.0, "boat": 12.0}
    circuity = {"car": 1.5, "motorbike": 1.2, "boat": 1.1}
    pts = Points(("jambi", "sungai_penuh"), [JAMBI_CITY[0], SUNGAI_PENUH[0]], [JAMBI_CITY[1], SUNGAI_PENUH[1]])
    m = GreatCircleProvider(speed, circuity).matrices(pts, profile)
    km = float(great_circle_km(*JAMBI_CITY, *SUNGAI_PENUH))
    p = profile.value
    assert m.distance_km[0, 1] == pytest.approx(km * circuity[p], rel=1e-12)
    assert m.duration_min[0, 1] == pytest.approx(km * circuity[p] / speed[p] * 60, rel=1e-12)


def test_default_speeds_come_from_units_and_partial_settings_merge() -> None:
    gc = GreatCircleProvider({VehicleProfile.car: 30.0})
    assert gc.speed_kmh == {"car": 30.0, "motorbike": 35.0, "boat": 20.0}
    assert gc.circuity == {"car": 1.4, "motorbike": 1.3, "boat": 1.5}
    with pytest.raises(ValueError):
        GreatCircleProvider({"car": 0})


def test_empty_and_single_point() -> None:
    assert GreatCircleProvider().matrices(Points((), [], []), VehicleProfile.car).n == 0
    one = GreatCircleProvider().matrices(Points(("a",), [-1.6], [103.6]), VehicleProfile.car)
    assert one.distance_km.tolist() == [[0.0]]


def test_points_and_matrices_validate() -> None:
    with pytest.raises(ValueError):
        Points(("a", "b"), [0.0], [100.0, 101.0])
    with pytest.raises(ValueError):
        Points(("a",), [float("nan")], [100.0])
    with pytest.raises(ValueError):
        Matrices(np.ones((2, 2)), np.zeros((2, 2)))  # non-zero diagonal
    with pytest.raises(ValueError):
        Matrices(np.zeros((2, 3)), np.zeros((2, 3)))


# ---------------------------------------------------------------- rounding


def test_whole_minutes_rounds_up() -> None:
    got = whole_minutes(np.array([[0.0, 0.1, 1.0], [1.000001, 59.5, 60.0]]))
    assert got.dtype == np.int64
    assert got.tolist() == [[0, 1, 1], [2, 60, 60]]


def test_whole_minutes_unreachable_and_invalid() -> None:
    assert whole_minutes(np.array([np.inf, 3.2])).tolist() == [UNREACHABLE_MIN, 4]
    with pytest.raises(ValueError):
        whole_minutes(np.array([-0.5]))
    with pytest.raises(ValueError):
        whole_minutes(np.array([np.nan]))


# ---------------------------------------------------------------- file provider


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


ABC = Points(("a", "b", "c"), [-1.6, -1.7, -1.8], [103.6, 103.5, 103.4])
FULL = """
from_id,to_id,duration_min,distance_km,profile
a,b,10,8,
b,a,11,8.5,
a,c,20,15,
c,a,21,15.5,
b,c,30,22,
c,b,31,22.5,
a,b,7.5,8,motorbike
"""


def test_file_happy_path_with_profile_override(tmp_path: Path) -> None:
    f = FileMatrixProvider(write_csv(tmp_path / "m.csv", FULL))
    car = f.matrices(ABC, VehicleProfile.car)
    assert car.duration_min.tolist() == [[0, 10, 20], [11, 0, 30], [21, 31, 0]]
    assert car.distance_km[2, 1] == 22.5
    moto = f.matrices(ABC, VehicleProfile.motorbike)
    assert moto.duration_min[0, 1] == 7.5 and moto.duration_min[1, 0] == 11


def test_file_follows_requested_order_and_ignores_other_ids(tmp_path: Path) -> None:
    f = FileMatrixProvider(write_csv(tmp_path / "m.csv", FULL + "a,zz,1,1,\n"))
    m = f.matrices(Points(("c", "a"), [-1.8, -1.6], [103.4, 103.6]), VehicleProfile.car)
    assert m.duration_min.tolist() == [[0, 21], [20, 0]]


def test_file_missing_pair_names_pairs_and_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", "\n".join(FULL.strip().splitlines()[:-2]))  # drops c→b (and override)
    with pytest.raises(TravelError, match=r"m\.csv lacks 1 of 6 pairs.*c→b"):
        FileMatrixProvider(path).matrices(ABC, VehicleProfile.car)


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ("a,b,ten,8,", r"line 3: duration_min 'ten'"),
        ("a,b,10,-1,", r"line 3: distance_km '-1'"),
        ("a,b,nan,1,", r"line 3: duration_min 'nan'"),
        ("a,b,10,1,bus", r"line 3: unknown profile 'bus'"),
        ("a,b,10,1,", r"line 3: pair a→b \(all profiles\) appears twice"),
    ],
)
def test_file_bad_row_names_the_line(tmp_path: Path, row: str, match: str) -> None:
    path = write_csv(tmp_path / "m.csv", "from_id,to_id,duration_min,distance_km,profile\na,b,10,8,\n" + row)
    with pytest.raises(TravelError, match=match):
        FileMatrixProvider(path).matrices(ABC, VehicleProfile.car)


def test_file_missing_column_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TravelError, match="missing column.*distance_km"):
        FileMatrixProvider(write_csv(tmp_path / "m.csv", "from_id,to_id,duration_min\na,b,1")).matrices(
            ABC, VehicleProfile.car
        )
    with pytest.raises(TravelError, match="not found"):
        FileMatrixProvider(tmp_path / "nope.csv")


# ---------------------------------------------------------------- provider_for


def test_provider_for_each_kind(tmp_path: Path) -> None:
    assert isinstance(provider_for(TravelSettings()), GreatCircleProvider)
    write_csv(tmp_path / "matrix.csv", FULL)
    f = provider_for(TravelSettings(provider="file", matrix_file="matrix.csv"), base_dir=tmp_path)
    assert isinstance(f, FileMatrixProvider) and f.path == tmp_path / "matrix.csv"
    s = provider_for(TravelSettings(provider="valhalla", url="http://127.0.0.1:1/"), cache_dir=tmp_path)
    assert isinstance(s, RoutingServerProvider) and s.kind == "valhalla" and s.url == "http://127.0.0.1:1"
    with pytest.raises(TravelError, match="needs travel.url"):
        provider_for(TravelSettings(provider="osrm"))
    with pytest.raises(TravelError, match="needs travel.matrix_file"):
        provider_for(TravelSettings(provider="file"))


# ---------------------------------------------------------------- routing servers (fake, loopback only)

FAKE_KM_FACTOR = 1.25  # fake road km = great-circle km × this
FAKE_SPEED_MS = 10.0  # fake speed, metres per second
ISLAND_LON = 104.0  # the fake servers find no route between points east and west of this meridian


def fake_pair(a: tuple[float, float], b: tuple[float, float]) -> tuple[float | None, float | None]:
    """(metres, seconds) between [lon, lat] points, or None both when across the 'strait'."""
    if (a[0] > ISLAND_LON) != (b[0] > ISLAND_LON):
        return None, None
    metres = float(great_circle_km(a[1], a[0], b[1], b[0])) * 1000 * FAKE_KM_FACTOR
    return metres, metres / FAKE_SPEED_MS


class FakeHandler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # OSRM: /table/v1/{profile}/{lon,lat;...}?sources=..&destinations=..
        self.server.paths.append(self.path)
        if self.server.fail_status:
            return self.reply(self.server.fail_status, {"code": "InvalidQuery", "message": "boom"})
        url = urlsplit(self.path)  # not urlparse: it cuts the path at ";"
        parts = unquote(url.path).split("/")
        assert parts[1:3] == ["table", "v1"]
        coords = [tuple(float(x) for x in c.split(",")) for c in parts[4].split(";")]
        q = {k: unquote(v[0]) for k, v in parse_qs(url.query).items()}
        src = [int(i) for i in q["sources"].split(";")] if "sources" in q else range(len(coords))
        dst = [int(i) for i in q["destinations"].split(";")] if "destinations" in q else range(len(coords))
        assert set(q["annotations"].split(",")) == {"duration", "distance"}
        pairs = [[fake_pair(coords[i], coords[j]) for j in dst] for i in src]
        self.reply(200, {
            "code": "Ok",
            "distances": [[p[0] for p in row] for row in pairs],
            "durations": [[p[1] for p in row] for row in pairs],
        })

    def do_POST(self) -> None:  # Valhalla: /sources_to_targets, km and seconds
        self.server.paths.append(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.bodies.append(body)
        src = [(s["lon"], s["lat"]) for s in body["sources"]]
        dst = [(t["lon"], t["lat"]) for t in body["targets"]]
        table = [
            [{"distance": None if m is None else m / 1000, "time": s} for m, s in (fake_pair(a, b) for b in dst)]
            for a in src
        ]
        self.reply(200, {"sources_to_targets": table})


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeHandler)
        self.paths: list[str] = []
        self.bodies: list[dict] = []
        self.fail_status = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    server = FakeServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def expected(points: Points) -> tuple[np.ndarray, np.ndarray]:
    n = len(points)
    km, minutes = np.zeros((n, n)), np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            m, s = fake_pair((points.lon[i], points.lat[i]), (points.lon[j], points.lat[j]))
            km[i, j] = np.inf if m is None else m / 1000
            minutes[i, j] = np.inf if s is None else s / 60
    return km, minutes


def server_provider(kind: str, server: FakeServer, tmp_path: Path, block: int) -> RoutingServerProvider:
    return RoutingServerProvider(kind, server.url, cache_dir=tmp_path / "cache", block=block, timeout_s=5)


WEST = Points(tuple(f"w{i}" for i in range(5)), [-1.6, -1.9, -2.05, -1.2, -0.9], [103.6, 103.1, 101.4, 102.5, 103.9])


def test_osrm_blocks_assemble_and_cache_makes_no_requests(fake_server: FakeServer, tmp_path: Path) -> None:
    provider = server_provider("osrm", fake_server, tmp_path, block=2)
    m = provider.matrices(WEST, VehicleProfile.car)
    km, minutes = expected(WEST)
    np.testing.assert_allclose(m.distance_km, km, rtol=1e-5)
    np.testing.assert_allclose(m.duration_min, minutes, rtol=1e-5)
    assert len(fake_server.paths) == 9  # 3×3 blocks of ≤ 2 points
    assert all(p.startswith("/table/v1/car/") for p in fake_server.paths)

    again = server_provider("osrm", fake_server, tmp_path, block=2).matrices(WEST, VehicleProfile.motorbike)
    assert len(fake_server.paths) == 9  # motorbike uses OSRM's car profile: all from the disk cache
    np.testing.assert_array_equal(again.duration_min, m.duration_min)


def test_osrm_unreachable_pairs_are_inf(fake_server: FakeServer, tmp_path: Path,
                                        caplog: pytest.LogCaptureFixture) -> None:
    pts = Points(("mainland", "island", "mainland2"), [-1.6, -1.0, -1.7], [103.6, 104.4, 103.0])
    with caplog.at_level(logging.WARNING, logger="planner.compile.servers"):
        m = server_provider("osrm", fake_server, tmp_path, block=100).matrices(pts, VehicleProfile.car)
    assert np.isinf(m.duration_min[0, 1]) and np.isinf(m.distance_km[1, 2])
    assert np.isfinite(m.duration_min[0, 2])
    assert whole_minutes(m.duration_min)[0, 1] == UNREACHABLE_MIN
    assert "no route for 4 of 6 pairs" in caplog.text and "mainland→island" in caplog.text


def test_duplicate_coordinates_are_asked_once(fake_server: FakeServer, tmp_path: Path) -> None:
    pts = Points(("a", "b", "a2"), [-1.6, -1.9, -1.6], [103.6, 103.1, 103.6])
    m = server_provider("osrm", fake_server, tmp_path, block=100).matrices(pts, VehicleProfile.car)
    assert len(fake_server.paths) == 1 and fake_server.paths[0].count("%3B") + fake_server.paths[0].count(";") == 1
    assert m.duration_min[0, 2] == 0 and m.duration_min[0, 1] == m.duration_min[2, 1] > 0


def test_server_error_raises_travel_error_with_url_and_status(fake_server: FakeServer, tmp_path: Path) -> None:
    fake_server.fail_status = 400
    provider = server_provider("osrm", fake_server, tmp_path, block=100)
    with pytest.raises(TravelError, match=rf"osrm server {fake_server.url} answered HTTP 400: .*boom"):
        provider.matrices(WEST, VehicleProfile.car)
    assert not list((tmp_path / "cache").rglob("*.npz"))  # failures are not cached


def test_unreachable_server_raises_travel_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server = FakeServer()  # bound but never serving, then closed: connection refused
    url = server.url
    server.server_close()
    provider = RoutingServerProvider("osrm", url, cache_dir=tmp_path, timeout_s=2)
    with pytest.raises(TravelError, match=rf"cannot reach osrm server {url}"):
        provider.matrices(WEST, VehicleProfile.car)


def test_boat_falls_back_to_great_circle_with_warning(fake_server: FakeServer, tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    provider = server_provider("osrm", fake_server, tmp_path, block=100)
    with caplog.at_level(logging.WARNING, logger="planner.compile.servers"):
        m = provider.matrices(WEST, VehicleProfile.boat)
    assert fake_server.paths == []
    assert "no boat profile" in caplog.text and "great-circle × 1.5 at 20 km/h" in caplog.text
    ref = GreatCircleProvider().matrices(WEST, VehicleProfile.boat)
    np.testing.assert_array_equal(m.duration_min, ref.duration_min)


def test_valhalla_blocks_and_cache(fake_server: FakeServer, tmp_path: Path) -> None:
    provider = server_provider("valhalla", fake_server, tmp_path, block=3)
    m = provider.matrices(WEST, VehicleProfile.motorbike)
    km, minutes = expected(WEST)
    np.testing.assert_allclose(m.distance_km, km, atol=1e-3)  # routingpy truncates Valhalla distances to metres
    np.testing.assert_allclose(m.duration_min, minutes, rtol=1e-9)
    assert len(fake_server.paths) == 4 and {b["costing"] for b in fake_server.bodies} == {"motorcycle"}
    provider.matrices(WEST, VehicleProfile.motorbike)
    assert len(fake_server.paths) == 4 and provider.requests_made == 4


def test_unreadable_cache_file_is_fetched_again(fake_server: FakeServer, tmp_path: Path) -> None:
    server_provider("osrm", fake_server, tmp_path, block=100).matrices(WEST, VehicleProfile.car)
    (cached,) = (tmp_path / "cache").rglob("*.npz")
    cached.write_bytes(b"not a zip")
    m = server_provider("osrm", fake_server, tmp_path, block=100).matrices(WEST, VehicleProfile.car)
    assert len(fake_server.paths) == 2 and np.isfinite(m.duration_min).all()
