"""The example provinces shipped with jemput: where their files are, copying one, Jambi's boundaries.

Jambi lives in `planner/data/jambi/` (built by `scripts/build_jambi.py`); the archipelago examples
Nusa Tenggara Timur and Jawa Timur (islands and crossings) in `planner/data/<name>/` (built by
`scripts/build_archipelago.py`). Each README says what is real and what is estimated.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import geopandas

SCENARIO_FILE = "scenario.yaml"
# What a coordinator edits: the scenario, its tables and the note on how the figures were made.
EDITABLE_FILES = ("scenario.yaml", "sites.csv", "teams.csv", "kits.csv", "district_offices.csv", "README.md")
OPTIONAL_FILES = ("crossings.csv",)  # copied when the example has them
BOUNDARY_FILES = {"regency": "regencies.geojson", "district": "districts.geojson"}


def jambi_dir() -> Path:
    """Folder of the bundled Jambi files, found through the installed package so it works anywhere."""
    return Path(str(resources.files("planner") / "data" / "jambi"))


def jambi_scenario_path() -> Path:
    """The bundled Jambi scenario file, ready for the loader."""
    return jambi_dir() / SCENARIO_FILE


def example_dir(name: str) -> Path:
    """Folder of a bundled example by name (jambi, nusa-tenggara-timur, jawa-timur)."""
    return Path(str(resources.files("planner") / "data" / name))


EXAMPLES: dict[str, Callable[[], Path]] = {
    "jambi": jambi_dir,
    "nusa-tenggara-timur": lambda: example_dir("nusa-tenggara-timur"),
    "jawa-timur": lambda: example_dir("jawa-timur"),
}


def available_examples() -> list[str]:
    """Names accepted by `write_example`."""
    return sorted(EXAMPLES)


def write_example(name: str, out_dir: Path, overwrite: bool = False) -> Path:
    """Copy an example's editable files into out_dir, so a coordinator can start from it; returns the scenario."""
    if name not in EXAMPLES:
        raise ValueError(f"unknown example {name!r}; available: {', '.join(available_examples())}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"{out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise FileExistsError(f"{out_dir} is not empty; choose an empty folder or pass overwrite=True")
    out_dir.mkdir(parents=True, exist_ok=True)
    source = EXAMPLES[name]()
    for file_name in EDITABLE_FILES:
        shutil.copyfile(source / file_name, out_dir / file_name)
    for file_name in OPTIONAL_FILES:
        if (source / file_name).is_file():
            shutil.copyfile(source / file_name, out_dir / file_name)
    return out_dir / SCENARIO_FILE


def boundaries(level: Literal["regency", "district"]) -> geopandas.GeoDataFrame:
    """Bundled Jambi regency or district polygons (WGS84), for maps that need outlines offline."""
    if level not in BOUNDARY_FILES:
        raise ValueError(f"unknown boundary level {level!r}; available: {', '.join(BOUNDARY_FILES)}")
    import geopandas  # imported here: only the maps need it

    return geopandas.read_file(jambi_dir() / BOUNDARY_FILES[level])
