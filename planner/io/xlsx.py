"""One sheet of an XLSX workbook as a grid of cell values from A1, measured and bounded before it is read.

The cells are read by calamine (python-calamine, Rust; about 6× faster than openpyxl, bench/io_speed.py).
calamine builds a dense grid from the first to the last cell holding a value, and a failed allocation
in Rust aborts the whole process, with no MemoryError to catch: one stray value at XFD1048576 in a
5 kB file asks for 549 GB and kills the server. So, kept hand-written: before calamine sees a sheet,
`scan_sheet` streams the sheet's XML once (zipfile and a regex over its cells, no tree) to find the
last row and column holding a value and the formulas saved without a result, and refuses a sheet
that reaches beyond `MAX_CELLS` (or a workbook that unpacks beyond `MAX_UNPACKED_BYTES`) with a
message naming the far cell. No library reports a sheet's extent without building it first.
.xls and .xlsb (binary) are not read: their extent cannot be measured before calamine allocates.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

MAX_CELLS = 5_000_000  # rows × columns from A1 to the last value: 100,000 rows of 50 columns
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # all parts of the workbook, unpacked (zip bombs)
MAX_BAD_EXAMPLES = 5
_CHUNK = 1 << 20
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# a row start tag, or a whole cell (self-closing or with its content); tags may carry a namespace prefix
_TOKEN = re.compile(rb"<(?:\w+:)?row\b([^>]*)>|<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ROW_REF = re.compile(rb'\br="(\d+)"')
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?is>")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_ERROR_TYPE = re.compile(rb'\bt="e"')
_ERROR_TEXT = re.compile(rb"<(?:\w+:)?v>([^<]{1,20})<")
NO_RESULT = ("a formula saved without its result (the program that wrote the file did not calculate it); "
             "open and save the file in Excel or LibreOffice, or paste the values")


class SheetError(ValueError):
    """The workbook or sheet cannot be read as a table; the message says why and what to do."""


@dataclass
class SheetExtent:
    """What the pre-scan found: the last row and column holding a value (1-based) and bad formulas."""

    rows: int = 0
    columns: int = 0
    last_row_cell: str = ""  # a cell on the last row, e.g. "A1048576"
    last_column_cell: str = ""  # a cell in the last column, e.g. "XFD1"
    bad_cells: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column, reason), the first few
    bad_cell_count: int = 0  # cells calamine would read as empty though the sheet shows something

    def bad(self, row: int, col: int, reason: str) -> None:
        """Note a cell whose value cannot be read (kept: the first MAX_BAD_EXAMPLES)."""
        self.bad_cell_count += 1
        if len(self.bad_cells) < MAX_BAD_EXAMPLES:
            self.bad_cells.append((row, col, reason))


@dataclass
class Sheet:
    """A sheet read: its name, the grid from A1 (values as calamine gives them), merged ranges."""

    name: str
    grid: list[list[object]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]  # ((row, col), (row, col)), 0-based, inclusive
    extent: SheetExtent


def column_letters(column: int) -> str:
    """1 → 'A', 28 → 'AB', 16384 → 'XFD'."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def read_sheet(path: Path, sheet: str | None) -> Sheet:
    """The named sheet (None: the first) of an XLSX/XLSM file, after checking its size; SheetError if not."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise SheetError(
            "not an XLSX workbook (not a zip archive); if it is password-protected, save a copy without a "
            "password, and save .xls/.xlsb files as .xlsx"
        ) from None
    with archive:
        unpacked = sum(i.file_size for i in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise SheetError(
                f"the workbook unpacks to {unpacked / 2**20:,.0f} MB, more than {MAX_UNPACKED_BYTES // 2**20} MB "
                "jemput reads; save the table alone as CSV or XLSX"
            )
        parts = _sheet_parts(archive)
        if not parts:
            raise SheetError("the workbook has no worksheets")
        names = list(parts)
        name = names[0] if sheet is None else sheet
        if name not in parts:
            raise SheetError(f"the workbook has no sheet {sheet!r}; its sheets are {', '.join(map(repr, names))}")
        extent = scan_sheet(archive, parts[name], name)
    return Sheet(name, *_calamine_grid(path, name), extent)


def header_index(records: list[list[str]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> int:
    """Index of the header: the first non-blank row that is not a title (one value over merged columns)."""
    titles = {start for start, end in merged if end[1] > start[1]}
    for i, cells in enumerate(records):
        filled = [j for j, text in enumerate(cells) if text]
        if filled and not (len(filled) == 1 and (i, filled[0]) in titles):
            return i
    return len(records)


def _calamine_grid(path: Path, name: str) -> tuple[list[list[object]], list]:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        found = book.get_sheet_by_name(name)
        grid = found.to_python(skip_empty_area=False)  # from A1, so row numbers are the sheet's own
        merged = found.merged_cell_ranges or []
    return grid, merged


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name → its XML part in the archive, in workbook order (chart sheets left out)."""
    try:
        book = ElementTree.fromstring(_small_part(archive, "xl/workbook.xml"))
        rels = ElementTree.fromstring(_small_part(archive, "xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError) as exc:
        raise SheetError(f"not an XLSX workbook (its workbook part is missing or broken: {exc})") from None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL_NS}Relationship")}
    parts: dict[str, str] = {}
    for element in book.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(element.get(f"{_REL_NS}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if part in archive.NameToInfo and "worksheets/" in part:
            parts[element.get("name", "")] = part
    return parts


def _small_part(archive: zipfile.ZipFile, name: str, limit: int = 16 * 2**20) -> bytes:
    with archive.open(name) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise SheetError(f"the workbook's {name} is larger than {limit // 2**20} MB")
    return data


def scan_sheet(archive: zipfile.ZipFile, part: str, name: str) -> SheetExtent:
    """Stream a worksheet's XML: the extent of its values, formulas without a saved result, error values.

    Raises SheetError when rows × columns from A1 exceed MAX_CELLS, naming the far cells."""
    extent = SheetExtent()
    row = col = 0
    rest = b""
    with archive.open(part) as f:
        while True:
            chunk = f.read(_CHUNK)
            data = rest + chunk
            cut = _last_cell_end(data) if chunk else len(data)
            for m in _TOKEN.finditer(data, 0, cut):
                if m.group(1) is not None:  # <row ...>
                    ref = _ROW_REF.search(m.group(1))
                    row, col = (int(ref.group(1)) if ref else row + 1), 0
                    continue
                ref = _CELL_REF.search(m.group(2))
                if ref:
                    col, row = _column_number(ref.group(1)), int(ref.group(2))
                else:
                    col += 1
                content = m.group(4)
                if not content:
                    continue  # <c .../> or <c ...></c>: formatting only, no value
                has_value = _VALUE.search(content) is not None
                if not has_value and _FORMULA.search(content):
                    extent.bad(row, col, NO_RESULT)
                    has_value = True  # counts for the extent all the same
                elif has_value and _ERROR_TYPE.search(m.group(2)):
                    shown = _ERROR_TEXT.search(content)
                    error = shown.group(1).decode("utf-8", "replace") if shown else "an error"
                    extent.bad(row, col, f"the cell shows {error} (an error value); correct it or its formula")
                if has_value:
                    if row > extent.rows:
                        extent.rows, extent.last_row_cell = row, f"{column_letters(col)}{row}"
                    if col > extent.columns:
                        extent.columns, extent.last_column_cell = col, f"{column_letters(col)}{row}"
            if extent.rows * extent.columns > MAX_CELLS:
                raise SheetError(_too_large(name, extent))
            if not chunk:
                break
            rest = data[cut:]
    return extent


def _last_cell_end(data: bytes) -> int:
    """Where the last row tag (else cell) in `data` ends; what follows may be cut by the chunk.

    'row>' ends only <row>, </row> or their prefixed forms (x:row): cutting there never splits a cell."""
    for tag in (b"row>", b"</c>"):
        at = data.rfind(tag)
        if at >= 0:
            return at + len(tag)
    return 0


def _too_large(name: str, extent: SheetExtent) -> str:
    far = extent.last_row_cell if extent.last_row_cell == extent.last_column_cell else (
        f"{extent.last_row_cell} and {extent.last_column_cell}")
    return (
        f"sheet {name!r} has values as far as {far}: {extent.rows:,} rows × {extent.columns:,} columns from A1, "
        f"more than the {MAX_CELLS:,} cells jemput reads. Delete the stray cells outside the table "
        "(Ctrl+End in Excel jumps to the last one) or copy the table to a new sheet"
    )
