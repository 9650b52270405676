"""What a file handed in as a CSV really is: text in which encoding, with which delimiter — or not text.

Coordinators' offices send CSVs saved by Excel in every way it offers: UTF-8 with or without a BOM,
Windows-1252, "Unicode text" (UTF-16, tab-separated), a `sep=;` first line, and now and then a
workbook or a PDF renamed to .csv. Each is read right or refused with a sentence saying what it is,
instead of fifty lines of garbage decoded as latin-1.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from planner.io.problems import Report

SIGNATURES = (  # leading bytes → what the file is
    (b"PK\x03\x04", "a ZIP archive — most likely an Excel workbook (.xlsx) renamed to .csv; "
                    "name it .xlsx, or save it from Excel as 'CSV UTF-8'"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls) or another Office file renamed to .csv; "
                          "save it from Excel as .xlsx or 'CSV UTF-8'"),
    (b"%PDF", "a PDF document, not a table; export the table itself as CSV or XLSX"),
    (b"\x89PNG", "a PNG image, not a table"),
    (b"\xff\xd8\xff", "a JPEG image, not a table"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
)
CONTROL_SHARE = 0.01  # more control characters than this (outside tab and line ends) = not text
SAMPLE = 8192


@dataclass(frozen=True)
class CsvText:
    """Decoded text of a CSV file and how to split it."""

    text: str
    delimiter: str


def csv_text(data: bytes, label: str, report: Report) -> CsvText | None:
    """The file's text and delimiter, or None (reported) when it is not a text table."""
    for magic, what in SIGNATURES:
        if data.startswith(magic):
            report.error(label, f"this is not a CSV file: it is {what}")
            return None
    decoding = Report()
    text = _decode(data, label, decoding)
    if text is None:
        report.extend(decoding)
        return None
    sample = text[:SAMPLE]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\r\n") + sample.count("\ufffd")
    if sample and controls > CONTROL_SHARE * len(sample):
        report.error(label, f"this is not a CSV file: it holds binary data ({controls} control characters "
                            f"in its first {len(sample):,}); export the table as 'CSV UTF-8' or XLSX")
        return None
    report.extend(decoding)  # the encoding warning, once the text is known to be a table
    first, _, rest = text.partition("\n")
    declared = first.strip().lower()
    if declared.startswith("sep=") and len(declared) == 5:  # Excel's hint line: `sep=;`
        return CsvText(rest, first.strip()[4])
    delimiter = ";" if ";" in first and "," not in first else ","
    if "\t" in first and delimiter not in first:
        delimiter = "\t"
    return CsvText(text, delimiter)


def _decode(data: bytes, label: str, report: Report) -> str | None:
    """UTF-16 (with a BOM, or NUL bytes in every other place), UTF-8 (BOM or not), else cp1252 with a warning."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(data, "utf-16", label, report)
    head = data[:SAMPLE]
    if head.count(b"\x00") > len(head) // 4:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > 0.9 * len(head) / 2 and even == 0:
            return _utf16(data, "utf-16-le", label, report)
        if even > 0.9 * len(head) / 2 and odd == 0:
            return _utf16(data, "utf-16-be", label, report)
        report.error(label, "this is not a CSV file: it holds binary data (NUL bytes); "
                            "export the table as 'CSV UTF-8' or XLSX")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        try:
            text, used = data.decode("cp1252"), "cp1252 (Windows-1252, Excel's plain 'CSV' export)"
        except UnicodeDecodeError:  # bytes cp1252 leaves undefined: latin-1 decodes anything
            text, used = data.decode("latin-1"), "latin-1"
        report.warning(
            label,
            f"the file is not UTF-8 (first non-UTF-8 byte on line {line}); read it as {used}. "
            "Check accented names, or save it as 'CSV UTF-8'",
        )
        return text


def _utf16(data: bytes, encoding: str, label: str, report: Report) -> str | None:
    try:
        return data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        report.error(label, f"the file looks like UTF-16 text but does not decode ({exc.reason} at byte {exc.start})")
        return None
