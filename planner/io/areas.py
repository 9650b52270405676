"""Regency and district boundaries given with a scenario (`regency_boundaries:`, `district_boundaries:`):
GeoJSON or GeoPackage polygons with a `code` (the Kemendagri code the sites' `regency_code` /
`district_code` use) and a `name`, for the overview's coverage layers of any province
(docs/data-format.md). Without them the maps use the bundled Jambi boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from planner import units
from planner.io.problems import Report
from planner.model import Area, Site

LEVELS = {"regency_boundaries": "regency", "district_boundaries": "district"}
SITE_CODE = {"regency": "regency_code", "district": "district_code"}


def read_areas(path: Path, key: str, label: str, report: Report) -> list[Area]:
    """The polygons of one boundaries file as `Area`s of its level; problems reported with the file's name."""
    import geopandas
    import shapely

    level = LEVELS[key]
    if not path.is_file():
        report.error(label, f"{key} file not found (looked for {path})", column=key)
        return []
    if path.stat().st_size > units.MAX_TABLE_BYTES:
        report.error(label, f"the {key} file is larger than {units.MAX_TABLE_BYTES // 2**20} MB", column=key)
        return []
    try:
        frame = geopandas.read_file(path, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 - a corrupt file is reported, not raised
        report.error(path.name, f"could not read the {key} file: {type(exc).__name__}: {exc}", column=key)
        return []
    if "code" not in frame.columns:
        report.error(path.name, "every polygon needs a `code` property (the Kemendagri code the sites use)", column="code")
        return []
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    names = frame["name"] if "name" in frame.columns else [""] * len(frame)
    out: list[Area] = []
    for row, (code, name, geom) in enumerate(zip(frame["code"], names, frame.geometry), start=1):
        code = "" if code is None else str(code).strip()
        if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon"):
            report.error(path.name, "not a polygon", row=row, column="geometry", value=getattr(geom, "geom_type", None))
            continue
        if not code:
            report.error(path.name, "empty code", row=row, column="code")
            continue
        out.append(Area(level=level, code=code, name="" if name is None else str(name),
                        geometry=shapely.geometry.mapping(geom)))
    if not out and report.ok:
        report.error(path.name, f"the {key} file has no polygons", column=key)
    return out


def unmatched_areas(areas: list[Area], sites: Sequence[Site], label: str, report: Report) -> None:
    """A warning when no polygon of a level matches a site's code (the map would draw no coverage)."""
    for level in ("regency", "district"):
        mine = {a.code for a in areas if a.level == level}
        used = {getattr(s, SITE_CODE[level]) for s in sites} - {""}
        if mine and used and not mine & used:
            report.warning(label, f"no {level} boundary has the code of a site (e.g. {sorted(used)[0]}): "
                                  "the overview draws no coverage at that level", column=f"{level}_boundaries")
