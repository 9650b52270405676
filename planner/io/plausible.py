"""Checks across a loaded scenario's tables: data each row alone accepts but the whole makes doubtful.

Each finding names the file, row, column and value, like the row checks. Most are warnings (the
week can still be planned, but the coordinator should look): points outside the scenario's own
boundaries (when it names a `boundaries:` file) or far from every other place, a latitude whose
minus sign looks dropped, the same village under two ids, a district without a `district_offices`
row, a week starting on Sunday. A team whose regency code matches no site is an error: such a team
only serves its own regency's sites, so it would silently plan nothing. Nothing here is specific
to one province.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planner.io.problems import Report
from planner.io.tables import closest
from planner.model import Scenario

Origin = tuple[str, int]  # (file as named in the scenario, row number)

ISOLATED_KM = 50.0  # without boundaries: a place with no other site or base this close is doubtful
FLIPPED_NEAR_KM = 25.0  # ...and a latitude sign is "dropped" when the flipped point lies this near another
MIN_PLACES = 8  # fewer places say nothing about where the area is
BOUNDARY_TOLERANCE_DEG = 0.01  # about 1 km: GPS points on the coast or on a generalised border
SAME_PLACE_KM = 0.2  # two sites of one name and kind this close are one place
KM_PER_DEG = 111.32


@dataclass(frozen=True)
class MapPoint:
    """A point the plan will drive to: a site or a team's base."""

    lat: float
    lon: float
    origin: Origin
    lat_column: str
    what: str  # "site V-1" or "base of team T-1"


def check_scenario(
    scenario: Scenario,
    site_origins: Sequence[Origin],
    team_origins: Sequence[Origin],
    label: str,
    report: Report,
    offices_label: str | None = None,
    boundaries: object | None = None,
    boundaries_label: str = "",
) -> None:
    """Report everything doubtful across the scenario's tables (see module doc)."""
    _sunday_start(scenario, label, report)
    _team_regencies(scenario, team_origins, report)
    _same_village(scenario, site_origins, report)
    if offices_label and scenario.district_offices:
        _districts_without_office(scenario, site_origins, offices_label, report)
    places = [MapPoint(s.lat, s.lon, o, "lat", f"site {s.id}") for s, o in zip(scenario.sites, site_origins)]
    places += [MapPoint(t.base_lat, t.base_lon, o, "base_lat", f"base of team {t.id}")
               for t, o in zip(scenario.teams, team_origins)]
    if boundaries is not None:
        _outside_boundaries(places, boundaries, boundaries_label, report)
    elif len(places) >= MIN_PLACES:
        _isolated(places, report)


def _sunday_start(scenario: Scenario, label: str, report: Report) -> None:
    start = scenario.horizon.start
    if start.weekday() == 6:
        monday = start.toordinal() + 1
        report.warning(label, f"the week starts on a Sunday ({start}); teams do not work on Sundays unless their "
                              f"shifts say so. Did you mean Monday {type(start).fromordinal(monday)}?",
                       column="horizon.start", value=start.isoformat())


def _team_regencies(scenario: Scenario, team_origins: Sequence[Origin], report: Report) -> None:
    """A team with a regency code serves only sites of that code: an error when the sites have codes and
    none is the team's (a typo), a warning when the sites carry no codes at all."""
    codes = {s.regency_code for s in scenario.sites if s.regency_code}
    for team, (file, row) in zip(scenario.teams, team_origins):
        if not team.regency_code or team.regency_code in codes:
            continue
        if codes:
            hint = closest(team.regency_code, codes)
            reason = (f"no site has regency_code {team.regency_code!r}; a team with a regency code serves only its "
                      "own regency's sites, so this team would plan nothing. Correct the code"
                      + (f" (did you mean {hint!r}?)" if hint else "")
                      + " or leave it empty for a team that may go anywhere")
            report.error(file, reason, row=row, column="regency_code", value=team.regency_code)
        else:
            reason = (f"the sites have no regency_code, and a team with regency_code {team.regency_code!r} serves "
                      "only its own regency's sites: this team plans nothing. Give the sites their regency_code "
                      "or leave the team's empty")
            report.warning(file, reason, row=row, column="regency_code", value=team.regency_code)


def _same_village(scenario: Scenario, site_origins: Sequence[Origin], report: Report) -> None:
    """Two ids for one village: two village sites with one village code, or one name and kind at one place."""
    by_code: dict[str, tuple[str, Origin]] = {}
    by_name: dict[tuple[str, str], list[tuple[int, Origin]]] = defaultdict(list)
    for i, (site, origin) in enumerate(zip(scenario.sites, site_origins)):
        file, row = origin
        if site.village_code and site.kind.value == "village":  # a prison or school shares its village's code
            if site.village_code in by_code:
                same_code, where = by_code[site.village_code]
                report.warning(file, f"village_code {site.village_code} is also site {same_code} ({_at(where, file)}): "
                                     "the same village under two ids is planned and counted twice",
                               row=row, column="village_code", value=site.village_code)
                continue
            by_code[site.village_code] = (site.id, origin)
        key = (site.name.strip().lower(), site.kind.value)
        for j, where in by_name[key]:
            other = scenario.sites[j]
            if _km(site.lat, site.lon, other.lat, other.lon) <= SAME_PLACE_KM:
                report.warning(file, f"site {other.id} ({_at(where, file)}) has the same name, kind and place: "
                                     "the same village under two ids is planned and counted twice",
                               row=row, column="site_id", value=site.id)
                break
        else:
            by_name[key].append((i, origin))


def _districts_without_office(scenario: Scenario, site_origins: Sequence[Origin], offices_label: str,
                              report: Report) -> None:
    known = {d.district_code for d in scenario.district_offices}
    first: dict[str, Origin] = {}
    count: dict[str, int] = defaultdict(int)
    for site, origin in zip(scenario.sites, site_origins):
        code = site.district_code
        if code and code not in known:
            first.setdefault(code, origin)
            count[code] += 1
    for code, (file, row) in first.items():
        n = count[code]
        report.warning(file, f"district {code} ({n} site{'s' if n != 1 else ''}) has no row in {offices_label}; "
                             "its fixed recording kit is taken as working", row=row, column="district_code", value=code)


# --------------------------------------------------------------------------- geography


def read_boundaries(path: Path, label: str, report: Report) -> object | None:
    """The union of a GeoJSON/GPKG file's polygons (WGS84), buffered by the tolerance; None (reported) if unusable."""
    import geopandas
    import shapely

    from planner import units

    if not path.is_file():
        report.error(label, f"boundaries file not found (looked for {path})", column="boundaries")
        return None
    if path.stat().st_size > units.MAX_TABLE_BYTES:
        report.error(label, f"the boundaries file is larger than {units.MAX_TABLE_BYTES // 2**20} MB", column="boundaries")
        return None
    try:
        frame = geopandas.read_file(path, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 - a corrupt file is reported, not raised
        report.error(label, f"could not read the boundaries file: {type(exc).__name__}: {exc}", column="boundaries")
        return None
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    polygons = [g for g in frame.geometry if g is not None and g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        report.error(label, "the boundaries file has no polygons", column="boundaries", value=path.name)
        return None
    area = shapely.union_all(polygons).buffer(BOUNDARY_TOLERANCE_DEG)
    shapely.prepare(area)
    return area  # type: ignore[no-any-return]  # shapely ships no types


def _outside_boundaries(places: list[MapPoint], area: object, area_label: str, report: Report) -> None:
    import shapely

    lat = np.array([p.lat for p in places])
    lon = np.array([p.lon for p in places])
    inside = shapely.contains_xy(area, lon, lat)
    flipped_inside = shapely.contains_xy(area, lon, -lat)
    for k in np.flatnonzero(~inside):
        p = places[k]
        if flipped_inside[k] and p.lat > 0:
            reason = (f"({p.lat:g}, {p.lon:g}) lies outside the boundaries in {area_label}, but ({-p.lat:g}, {p.lon:g}) "
                      "lies inside: the latitude's minus sign looks dropped")
        else:
            reason = f"({p.lat:g}, {p.lon:g}) lies outside the boundaries in {area_label} (outside the area, or in the sea)"
        report.warning(p.origin[0], f"{p.what}: {reason}", row=p.origin[1], column=p.lat_column, value=f"{p.lat:g}")


def _isolated(places: list[MapPoint], report: Report) -> None:
    """Without boundaries: places with no other site or base within ISOLATED_KM (a sign dropped, a typo)."""
    grid = _Grid([(p.lat, p.lon) for p in places], ISOLATED_KM)
    for k in grid.isolated():
        p = places[k]
        near, km = grid.nearest(p.lat, p.lon, exclude=k)
        flipped = grid.nearest(-p.lat, p.lon, exclude=k)[1] if p.lat > 0 else math.inf
        if flipped <= FLIPPED_NEAR_KM:
            reason = (f"({p.lat:g}, {p.lon:g}) is {km:,.0f} km from every other site and base, but ({-p.lat:g}, "
                      f"{p.lon:g}) lies among them: the latitude's minus sign looks dropped")
        else:
            reason = (f"({p.lat:g}, {p.lon:g}) is {km:,.0f} km from the nearest other site or base "
                      f"({places[near].what}); check the coordinates")
        report.warning(p.origin[0], f"{p.what}: {reason}", row=p.origin[1], column=p.lat_column, value=f"{p.lat:g}")


class _Grid:
    """Points hashed into cells of half the radius: two points in one cell are always within the radius."""

    def __init__(self, points: list[tuple[float, float]], radius_km: float) -> None:
        self.points, self.radius = points, radius_km
        self.size = radius_km / KM_PER_DEG / 2
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, (lat, lon) in enumerate(points):
            self.cells[self._cell(lat, lon)].append(i)

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / self.size), math.floor(lon / self.size)

    def isolated(self) -> list[int]:
        """Points with no other point within the radius."""
        out = []
        for members in self.cells.values():
            if len(members) == 1:
                i = members[0]
                lat, lon = self.points[i]
                if self._near(lat, lon, i, 3) > self.radius:
                    out.append(i)
        return sorted(out)

    def _near(self, lat: float, lon: float, exclude: int, reach: int) -> float:
        """Distance to the closest other point within `reach` cells (inf when none)."""
        r, c = self._cell(lat, lon)
        best = math.inf
        for dr in range(-reach, reach + 1):
            for dc in range(-reach, reach + 1):
                for j in self.cells.get((r + dr, c + dc), ()):
                    if j != exclude:
                        best = min(best, _km(lat, lon, *self.points[j]))
        return best

    def nearest(self, lat: float, lon: float, exclude: int) -> tuple[int, float]:
        """The closest other point anywhere and its distance (a full scan; used for the few isolated ones)."""
        pts = np.array(self.points)
        d = _km_array(lat, lon, pts[:, 0], pts[:, 1])
        d[exclude] = np.inf
        j = int(np.argmin(d))
        return j, float(d[j])


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(_km_array(lat1, lon1, np.array([lat2]), np.array([lon2]))[0])


def _km_array(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    p1, p2 = math.radians(lat), np.radians(lats)
    a = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2
    return np.asarray(2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0))))


def _at(origin: Origin, file: str) -> str:
    return f"row {origin[1]}" if origin[0] == file else f"{origin[0]} row {origin[1]}"
