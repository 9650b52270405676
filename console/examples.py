"""The bundled examples as the files a coordinator keeps: for the console's "start from the example"
(the same intake as an upload) and as a ZIP to download and edit."""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache

from api.intake import Upload
from planner.io.bundled import EDITABLE_FILES, EXAMPLES, OPTIONAL_FILES


def example_uploads(name: str) -> list[Upload]:
    """The example's editable files (scenario.yaml first, its tables after; not the README)."""
    folder = EXAMPLES[name]()
    names = [n for n in (*EDITABLE_FILES, *OPTIONAL_FILES) if n.endswith((".yaml", ".csv", ".xlsx", ".geojson"))]
    return [Upload(n, (folder / n).read_bytes()) for n in names if (folder / n).is_file()]


@lru_cache(maxsize=4)
def example_zip(name: str) -> bytes:
    """The example's editable files (with its README) in one ZIP, as `jemput example NAME` writes them."""
    folder = EXAMPLES[name]()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n in (*EDITABLE_FILES, *OPTIONAL_FILES):
            if (folder / n).is_file():
                z.write(folder / n, f"{name}/{n}")
    return out.getvalue()


__all__ = ["example_uploads", "example_zip"]
