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

import numpy as np

from planner import units
from planner.io.sniff import SIGNATURES

MAX_CELLS = 5_000_000  # rows × columns from A1 to the last value: 100,000 rows of 50 columns
MAX_UNPACKED_BYTES = 128 * 1024 * 1024  # all parts unpacked (zip bombs); a 20,000-site sheet is ~13 MB
MAX_BAD_EXAMPLES = 5
TITLE_ROWS = 10  # title and blank rows allowed above the header, on top of MAX_TABLE_ROWS data rows
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
_AFTER_NAME = np.frombuffer(b" \t\r\n/>", dtype=np.uint8)  # what may follow the tag name c
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
    bad_positions: set[tuple[int, int]] = field(default_factory=set)  # every such cell, reported once

    def bad(self, row: int, col: int, reason: str) -> None:
        """Note a cell whose value cannot be read (kept: the first MAX_BAD_EXAMPLES)."""
        self.bad_cell_count += 1
        self.bad_positions.add((row, col))
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
        raise SheetError(f"not an XLSX workbook: {_what_it_is(path)}") from None
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
    if extent.rows > units.MAX_TABLE_ROWS + TITLE_ROWS + 1:
        raise SheetError(f"sheet {name!r} has values down to row {extent.rows:,} ({extent.last_row_cell}); jemput reads "
                         f"at most {units.MAX_TABLE_ROWS:,} data rows from one table")
    return Sheet(name, *_calamine_grid(path, name), extent)


def sheet_names(path: Path) -> list[str]:
    """The worksheets of an XLSX file, in workbook order."""
    with zipfile.ZipFile(path) as archive:
        return list(_sheet_parts(archive))


def _what_it_is(path: Path) -> str:
    """What a file named .xlsx that is not a zip archive is, and what to do (from its first bytes)."""
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return ("it is an old Excel workbook (.xls) or a password-protected one (Excel encrypts into that format); "
                "save it from Excel as .xlsx without a password")
    for signature, what in SIGNATURES:
        if head.startswith(signature) and signature != b"PK\x03\x04":
            return f"it is {what.split(';')[0]}"
    text = head.decode("utf-8", errors="ignore")
    if head and "\x00" not in head.decode("latin-1") and sum(c.isprintable() or c in "\r\n\t" for c in text) >= 0.99 * len(text):
        return f"it is plain text (most likely a CSV renamed to {path.suffix}); name it .csv"
    return "not a zip archive; save the table from Excel as .xlsx or 'CSV UTF-8'"


def header_index(records: list[list[str]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> int:
    """Index of the header: the first non-blank row that is not a title (one value over merged columns)."""
    titles = {start for start, end in merged if end[1] > start[1]}
    for i, cells in enumerate(records):
        filled = [j for j, text in enumerate(cells) if text]
        if filled and not (len(filled) == 1 and (i, filled[0]) in titles):
            return i
    return len(records)


def _calamine_grid(path: Path, name: str) -> tuple[list[list[object]], list[tuple[tuple[int, int], tuple[int, int]]]]:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        found = book.get_sheet_by_name(name)
        grid = found.to_python(skip_empty_area=False)  # from A1, so row numbers are the sheet's own
        merged = found.merged_cell_ranges or []
    return [list(row) for row in grid], merged


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

    Raises SheetError when rows × columns from A1 exceed MAX_CELLS, naming the far cells. A sheet whose
    every cell starts `<c r="..."` (what Excel, LibreOffice and xlsxwriter write) is measured from the
    references alone, at C speed; any other sheet, or one that reaches past the bound that way (the
    references include formatted empty cells), is measured cell by cell."""
    extent = _scan(archive, part, fast=True)
    if extent is None or extent.rows * extent.columns > MAX_CELLS:
        extent = _scan(archive, part, fast=False)
    if extent is None or extent.rows * extent.columns > MAX_CELLS:
        raise SheetError(_too_large(name, extent or SheetExtent()))
    return extent


def _scan(archive: zipfile.ZipFile, part: str, fast: bool) -> SheetExtent | None:
    """One pass over the part in chunks cut after a row tag; None when the fast pass does not apply
    (or, cell by cell, as soon as the values reach past the bound)."""
    extent = SheetExtent()
    state = [0, 0]  # the current row and column, for cells without a reference
    rest = b""
    with archive.open(part) as f:
        while True:
            chunk = f.read(_CHUNK)
            data = rest + chunk
            cut = _last_cell_end(data) if chunk else len(data)
            segment = data[:cut]
            if not fast or b"<f" in segment or b't="e"' in segment:
                if fast and not _refs_only(segment):
                    return None
                _scan_cells(segment, extent, state)
            elif not _scan_refs(segment, extent):
                return None
            if extent.rows * extent.columns > MAX_CELLS:
                return None if fast else extent
            if not chunk:
                return extent
            rest = data[cut:]


def _refs_only(segment: bytes) -> bool:
    """Every cell tag is a plain `<c r="A1"...`: no namespace prefix, no cell without a reference."""
    return _ref_extent(segment) is not None


def _scan_refs(segment: bytes, extent: SheetExtent) -> bool:
    """Grow the extent to every referenced cell (formatted empty ones too); False if a cell lacks one."""
    found = _ref_extent(segment)
    if found is None:
        return False
    row, col = found
    if row > extent.rows:
        extent.rows, extent.last_row_cell = row, f"{column_letters(col)}{row}"
    if col > extent.columns:
        extent.columns, extent.last_column_cell = col, f"{column_letters(col)}{row}"
    return True


def _ref_extent(segment: bytes) -> tuple[int, int] | None:
    """(largest row, largest column) over the `<c r="A1"` references, found with numpy over the bytes;
    None when some cell tag is not of that form (a prefix, no reference, another attribute first)."""
    buf = segment + b"\0" * 16
    a = np.frombuffer(buf, dtype=np.uint8)
    prefixed = _pairs(buf, b":c")
    if np.isin(a[prefixed + 2], _AFTER_NAME).any():
        return None  # namespace-prefixed cell tags (x:c): measured cell by cell
    lt = _pairs(buf, b"<c")
    tag = lt[np.isin(a[lt + 2], _AFTER_NAME)]  # every <c ...> tag
    ref = tag[(a[tag + 2] == ord(" ")) & (a[tag + 3] == ord("r")) & (a[tag + 4] == ord("=")) & (a[tag + 5] == ord('"'))]
    if ref.size != tag.size:
        return None
    if ref.size == 0:
        return 0, 0
    letters = [a[ref + 6 + k].astype(np.int64) for k in range(3)]
    upper = [(x >= 65) & (x <= 90) for x in letters]
    two, three = upper[1], upper[1] & upper[2]
    if not upper[0].all():
        return None
    col = np.where(three, (letters[0] - 64) * 676 + (letters[1] - 64) * 26 + letters[2] - 64,
                   np.where(two, (letters[0] - 64) * 26 + letters[1] - 64, letters[0] - 64))
    at = ref + 7 + two + three  # first digit of the row
    row = np.zeros(ref.size, dtype=np.int64)
    going = np.ones(ref.size, dtype=bool)
    for k in range(8):
        d = a[at + k].astype(np.int64)
        digit = going & (d >= 48) & (d <= 57)
        row = np.where(digit, row * 10 + d - 48, row)
        going = digit
        if k == 0 and not digit.all():
            return None
    return int(row.max()), int(col.max())


def _pairs(buf: bytes, pair: bytes) -> np.ndarray:
    """Offsets where the two bytes `pair` occur in `buf` (two uint16 views: one compare per two bytes)."""
    code = pair[0] | pair[1] << 8
    even = np.frombuffer(buf, dtype="<u2", count=len(buf) // 2)
    odd = np.frombuffer(buf, dtype="<u2", offset=1, count=(len(buf) - 1) // 2)
    return np.concatenate([np.flatnonzero(even == code) * 2, np.flatnonzero(odd == code) * 2 + 1])


def _scan_cells(segment: bytes, extent: SheetExtent, state: list[int]) -> None:
    """Cell by cell: the extent of the cells holding a value, and the cells read as empty wrongly."""
    row, col = state
    for m in _TOKEN.finditer(segment):
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
    state[:] = [row, col]


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
