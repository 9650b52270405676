"""Write the issue-17 part of tests/data/bad: messy or wrong inputs as coordinators' offices send them.

Each case is a folder with scenario.yaml and the files it names (the good tables of tests/data/good
are referenced as ../../good/...). The exact answer each case must get is in its `expected.txt`
(the validator's report, the scenario path written as <scenario>); tests/planner/test_bad_corpus.py
compares. Run `python scripts/make_bad_corpus.py` to rewrite the inputs; `--expect` also rewrites
every expected.txt from the current code (then review each diff by eye before committing).
"""

from __future__ import annotations

import codecs
import datetime
import io
import json
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
GOOD = "../../good"

SITES_HEADER = "site_id,name,kind,lat,lon,unrecorded,regency_code,district_code,village_code"
# twelve real places of Batang Hari (15.04) and Kota Jambi (15.71): enough for the geography checks
SITES = [
    ("V-001", "Desa Muara Bulian", "village", -1.7036, 103.2699, 120, "15.04", "15.04.01", "15.04.01.2001"),
    ("V-002", "Desa Sungai Baung", "village", -1.7420, 103.3150, 45, "15.04", "15.04.01", "15.04.01.2002"),
    ("V-003", "Desa Rengas Condong", "village", -1.6905, 103.2801, 60, "15.04", "15.04.01", "15.04.01.2003"),
    ("V-004", "Desa Pasar Terusan", "village", -1.6270, 103.2080, 75, "15.04", "15.04.02", "15.04.02.2001"),
    ("V-005", "Desa Kubu Kandang", "village", -1.6530, 103.1560, 40, "15.04", "15.04.02", "15.04.02.2002"),
    ("V-006", "Desa Jebak", "village", -1.7720, 103.2310, 55, "15.04", "15.04.01", "15.04.01.2004"),
    ("P-001", "Lapas Kelas IIA Jambi", "prison", -1.6280, 103.5820, 310, "15.71", "15.71.02", ""),
    ("H-001", "RSUD Raden Mattaher", "hospital", -1.6010, 103.6030, 25, "15.71", "15.71.03", ""),
    ("V-101", "Kelurahan Legok", "village", -1.5790, 103.5880, 90, "15.71", "15.71.03", "15.71.03.1001"),
    ("V-102", "Kelurahan Pasir Putih", "village", -1.6510, 103.6200, 70, "15.71", "15.71.02", "15.71.02.1001"),
    ("S-001", "SMA Negeri 1 Muara Bulian", "school", -1.7000, 103.2650, 80, "15.04", "15.04.01", ""),
    ("V-103", "Kelurahan Kenali Besar", "village", -1.6150, 103.5540, 110, "15.71", "15.71.03", "15.71.03.1002"),
]
OFFICES = "district_code,name,fixed_kit_working\n15.04.01,Kec. Muara Bulian,tidak\n15.04.02,Kec. Pemayung,ya\n" \
          "15.71.02,Kec. Jambi Selatan,ya\n15.71.03,Kec. Telanaipura,ya\n"
# a rough outline of Batang Hari and Kota Jambi (lon, lat), for the boundaries cases
OUTLINE = [(102.95, -2.10), (103.75, -2.10), (103.75, -1.40), (102.95, -1.40), (102.95, -2.10)]


def site_rows(changes: dict[str, dict] | None = None, extra: list[tuple] = ()) -> list[list[str]]:
    """The twelve sites as text cells, with some cells changed (by site id and column) and rows added."""
    columns = SITES_HEADER.split(",")
    rows = []
    for s in [*SITES, *extra]:
        cells = dict(zip(columns, [str(v) for v in s]))
        cells.update({k: str(v) for k, v in (changes or {}).get(s[0], {}).items()})
        rows.append([cells[c] for c in columns])
    return rows


def with_column(column: str, values: dict[str, str]) -> str:
    """The twelve sites with one more column, filled for some site ids."""
    rows = [r + [values.get(r[0], "")] for r in site_rows()]
    return csv_text(rows, header=f"{SITES_HEADER},{column}")


def csv_text(rows: list[list[str]], header: str = SITES_HEADER, sep: str = ",") -> str:
    return "\n".join([header.replace(",", sep), *(sep.join(r) for r in rows)]) + "\n"


def scenario(comment: str, *, sites: str = "sites.csv", teams: str = f"{GOOD}/teams.csv", kits: str = f"{GOOD}/kits.csv",
             offices: str | None = "district_offices.csv", start: str = "2026-11-23", extra: str = "") -> str:
    lines = [f"# bad case: {comment}", f'name: "{comment[:60]}"', f"horizon: {{start: {start}, days: 6}}",
             f"sites: {sites}", f"teams: {teams}", f"kits: {kits}"]
    if offices:
        lines.append(f"district_offices: {offices}")
    return "\n".join(lines) + "\n" + extra


def workbook(sheets: dict[str, list[tuple[int, list]]], *, merged: dict[str, str] | None = None,
             cells: list[tuple[str, int, int, str]] = (), no_results: bool = False) -> bytes:
    """An XLSX (xlsxwriter, fixed timestamps so the bytes are reproducible): per sheet, rows at their
    0-based index; `merged` sheet → range holding a title; `cells` (sheet, row, col, text) written alone;
    `no_results` drops the saved result of every formula, as programs that do not calculate write them."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"created": datetime.datetime(2026, 11, 20, 8, 0, 0)})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        if merged and name in merged:
            ws.merge_range(merged[name], "Daftar Sasaran Perekaman e-KTP Keliling - Batang Hari dan Kota Jambi",
                           wb.add_format({"bold": True}))
        for r, values in rows:
            for col, v in enumerate(values):
                if isinstance(v, tuple):  # (formula, the result Excel saves with it)
                    ws.write_formula(r, col, v[0], None, v[1])
                else:
                    ws.write(r, col, v)
        for sheet, r, col, text in cells:
            if sheet == name:
                ws.write_string(r, col, text)
    wb.close()
    data = buf.getvalue()
    if no_results:
        data = _rezip(data, lambda part, xml: re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1", xml) if b"worksheets/" in part else xml)
    return data


def _rezip(data: bytes, edit) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, edit(info.filename.encode(), src.read(info.filename)))
    return out.getvalue()


def sheet_rows(rows: list[list], first: int = 0) -> list[tuple[int, list]]:
    """The header and site rows at 0-based row `first` onwards; lat, lon and counts as number cells."""
    def cell(i: int, v: str | tuple) -> str | float | tuple:
        try:
            if isinstance(v, tuple):
                return v
            return float(v) if i in (3, 4, 5) else v
        except ValueError:
            return v

    return list(enumerate([SITES_HEADER.split(","), *[[cell(i, v) for i, v in enumerate(r)] for r in rows]], first))


def xlsx_bytes() -> bytes:
    return workbook({"Desa": sheet_rows(site_rows())})


def geojson(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def polygon_feature(ring: list[tuple[float, float]]) -> dict:
    return {"type": "Feature", "properties": {"name": "Batang Hari dan Kota Jambi"},
            "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}}


def cases() -> dict[str, dict[str, str | bytes]]:
    """case name → {file name: content}."""
    good_sites = csv_text(site_rows())
    c: dict[str, dict[str, str | bytes]] = {}

    def case(name: str, comment: str, files: dict[str, str | bytes] | None = None, **kw) -> None:
        files = dict(files or {})
        files.setdefault("sites.csv", good_sites)
        if kw.get("offices", "district_offices.csv") == "district_offices.csv":
            files.setdefault("district_offices.csv", OFFICES)
        c[name] = {"scenario.yaml": scenario(comment, **kw), **files}

    # --- files that are not what their name says, or text in another encoding
    case("csv_is_renamed_xlsx", "an Excel workbook renamed to sites.csv", {"sites.csv": xlsx_bytes()})
    case("csv_is_renamed_xls", "an old .xls workbook renamed to sites.csv",
         {"sites.csv": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)})
    case("csv_is_pdf", "a PDF printout saved as sites.csv", {"sites.csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"})
    case("csv_is_binary", "binary data saved as sites.csv", {"sites.csv": bytes(range(256)) * 8})
    case("csv_is_gzip", "a gzip archive saved as sites.csv", {"sites.csv": b"\x1f\x8b\x08\x00" + bytes(40)})
    case("csv_utf16_tab", "Excel 'Unicode text' (UTF-16, tabs) with a bad count on row 4",
         {"sites.csv": codecs.BOM_UTF16_LE + csv_text(site_rows({"V-003": {"unrecorded": "enam puluh"}}),
                                                      sep="\t").encode("utf-16-le")})
    case("csv_utf16_no_bom", "UTF-16 text without a BOM, a bad lat on row 3",
         {"sites.csv": csv_text(site_rows({"V-002": {"lat": "x"}})).encode("utf-16-le")})
    case("csv_sep_line", "Excel's sep=; first line, decimal commas, a bad kind on row 5",
         {"sites.csv": "sep=;\n" + csv_text(
             [[c.replace(".", ",") if i in (3, 4) else c for i, c in enumerate(r)]
              for r in site_rows({"V-004": {"kind": "desa"}})], sep=";")})
    case("csv_bom_only", "a sites file holding only a UTF-8 byte order mark", {"sites.csv": codecs.BOM_UTF8 + b"\r\n"})
    case("scenario_utf16", "scenario.yaml saved as UTF-16 by Notepad")
    c["scenario_utf16"]["scenario.yaml"] = codecs.BOM_UTF16_LE + str(c["scenario_utf16"]["scenario.yaml"]).encode("utf-16-le")

    # --- numbers written the local way
    semi = [[c.replace(".", ",") if i in (3, 4) else c for i, c in enumerate(r)]
            for r in site_rows({"V-001": {"unrecorded": "2.000"}, "P-001": {"unrecorded": "1.250"}})]
    case("thousands_dot_semicolon", "Indonesian thousands separators in a ';' CSV with decimal commas",
         {"sites.csv": csv_text(semi, sep=";")})
    case("thousands_comma_csv", "a thousands separator in a comma CSV",
         {"sites.csv": csv_text(site_rows({"V-001": {"unrecorded": '"2,000"'}}))})
    case("decimal_comma_in_comma_csv", "a decimal comma in a comma CSV",
         {"sites.csv": csv_text(site_rows({"V-002": {"lat": '"-1,7420"'}}))})
    case("unrecorded_absurd", "1e12 unrecorded people at one village",
         {"sites.csv": csv_text(site_rows({"V-003": {"unrecorded": "1e12"}}))})
    case("unrecorded_large", "80,000 unrecorded at one village (a warning)",
         {"sites.csv": csv_text(site_rows({"V-003": {"unrecorded": "80000"}}))})
    case("unrecorded_decimal", "a fractional count of people",
         {"sites.csv": csv_text(site_rows({"V-004": {"unrecorded": "12.5"}}))})

    # --- dates
    case("horizon_impossible_date", "a week starting on 30 February", start="2026-02-30")
    case("horizon_day_first", "the week's start written day first", start="23-11-2026")
    case("horizon_sunday", "a week starting on a Sunday (a warning)", start="2026-11-22")
    case("closed_date_not_leap", "a site closed on 29 February of a common year",
         {"sites.csv": with_column("closed_dates", {"V-001": "2027-02-29"})})
    case("closed_dates_commas", "closed dates separated by commas",
         {"sites.csv": with_column("closed_dates", {"V-002": '"2026-11-24, 2026-11-25"'})})
    case("hours_without_minutes", "opening hours written 8-12",
         {"sites.csv": with_column("hours", {"V-006": "8-12"})})

    # --- the scenario file
    case("yaml_alias_bomb", "YAML aliases nested to expand a billion times",
         extra="".join(f'l{i}: &l{i} [{", ".join([f"*l{i - 1}"] * 9) if i else "lol"}]\n' for i in range(9)))
    case("yaml_merge_key", "settings shared with an anchor and a merge key",
         extra="base: &base {no_fixed_kit_factor: 1.5}\nweights:\n  <<: *base\n")
    case("yaml_tab_indent", "a tab used to indent", extra="weights:\n\tno_fixed_kit_factor: 1.5\n")
    case("travel_speed_zero", "a car speed of 0", extra="travel: {speed_kmh: {car: 0}}\n")
    case("travel_circuity_zero", "a circuity of 0 for boats", extra="travel: {circuity: {boat: 0}}\n")
    case("travel_circuity_below_one", "roads shorter than the straight line", extra="travel: {circuity: {car: 0.7}}\n")
    case("horizon_days_zero", "a horizon of 0 days", extra="")
    c["horizon_days_zero"]["scenario.yaml"] = str(c["horizon_days_zero"]["scenario.yaml"]).replace("days: 6", "days: 0")
    case("horizon_month", "a horizon of a month", extra="")
    c["horizon_month"]["scenario.yaml"] = str(c["horizon_month"]["scenario.yaml"]).replace("days: 6", "days: 30")
    c["scenario_json_trailing_comma"] = {"scenario.json": '{"name": "x", "sites": "sites.csv",}\n'}

    # --- across tables
    teams_typo = "team_id,name,base_lat,base_lon,regency_code\nT-BH,Tim Batang Hari,-1.7010,103.2700,15.4\n" \
                 "T-KJ,Tim Kota Jambi,-1.6100,103.6130,15.71\n"
    case("team_regency_typo", "a team's regency code matching no site", {"teams.csv": teams_typo}, teams="teams.csv")
    plain_sites = "site_id,name,kind,lat,lon,unrecorded\n" + "\n".join(",".join(r[:6]) for r in site_rows()) + "\n"
    case("team_regency_sites_without_codes", "teams with regency codes, sites without (a warning)",
         {"sites.csv": plain_sites}, offices=None)
    case("duplicate_village_code", "one village under two ids (same village code)",
         {"sites.csv": csv_text(site_rows(extra=[("V-201", "Desa Muara Bulian", "village", -1.7040, 103.2702, 118,
                                                   "15.04", "15.04.01", "15.04.01.2001")]))})
    case("duplicate_village_place", "one village under two ids (same name and place, no code)",
         {"sites.csv": csv_text(site_rows(extra=[("V-202", "desa jebak", "village", -1.7725, 103.2312, 50,
                                                   "15.04", "15.04.01", "")]))})
    case("district_without_office", "sites in a district missing from district_offices (a warning)",
         {"district_offices.csv": OFFICES.replace("15.04.02,Kec. Pemayung,ya\n", "")})
    case("latitude_sign_dropped", "a village whose latitude lost its minus sign (a warning)",
         {"sites.csv": csv_text(site_rows({"V-005": {"lat": "1.6530"}}))})
    case("point_far_away", "a village placed 400 km away (a warning)",
         {"sites.csv": csv_text(site_rows({"V-006": {"lat": "-5.1", "lon": "105.9"}}))})
    boundary = {"boundaries.geojson": geojson([polygon_feature(OUTLINE)])}
    case("boundaries_in_the_sea", "a site in the sea east of the coast, with the scenario's boundaries",
         {**boundary, "sites.csv": csv_text(site_rows({"H-001": {"lon": "104.4"}}))},
         extra="boundaries: boundaries.geojson\n")
    case("boundaries_sign_dropped", "a latitude sign dropped, with the scenario's boundaries",
         {**boundary, "sites.csv": csv_text(site_rows({"V-101": {"lat": "1.5790"}}))},
         extra="boundaries: boundaries.geojson\n")
    case("boundaries_team_base_outside", "a team base outside the boundaries",
         {**boundary, "teams.csv": "team_id,name,base_lat,base_lon,regency_code\nT-BH,Tim Batang Hari,-1.7010,103.2700,15.04\n"
                                   "T-KJ,Tim Kota Jambi,-0.6100,103.6130,15.71\n"},
         teams="teams.csv", extra="boundaries: boundaries.geojson\n")
    case("boundaries_missing", "a boundaries file that is not there", extra="boundaries: batas_wilayah.geojson\n")
    case("boundaries_points_only", "a boundaries file with points, not polygons",
         {"boundaries.geojson": geojson([{"type": "Feature", "properties": {},
                                          "geometry": {"type": "Point", "coordinates": [103.3, -1.7]}}])},
         extra="boundaries: boundaries.geojson\n")

    # --- rows typed by hand
    case("kind_in_indonesian", "site kinds written in Indonesian",
         {"sites.csv": csv_text(site_rows({"V-001": {"kind": "desa"}, "P-001": {"kind": "lapas"}}))})
    case("site_id_with_space", "a site id with a space and a slash",
         {"sites.csv": csv_text(site_rows({"V-004": {"site_id": "V 004/A"}}))})
    case("coordinates_dms", "coordinates in degrees, minutes and seconds",
         {"sites.csv": csv_text(site_rows({"V-002": {"lat": "1°44'31\"S", "lon": "103°18'54\"E"}}))})
    case("coordinates_zero", "a site at (0, 0), the GPS default",
         {"sites.csv": csv_text(site_rows({"V-003": {"lat": "0", "lon": "0"}}))})

    # --- workbooks as offices send them (sites.xlsx; the scenario names the file, sometimes the sheet)
    def xlsx_case(name: str, comment: str, data: bytes, sites: str = "sites.xlsx") -> None:
        case(name, comment, {"sites.xlsx": data}, sites=sites)
        del c[name]["sites.csv"]

    xlsx_case("xlsx_merged_title", "a merged title row and a blank row above the header; a bad kind on sheet row 7",
              workbook({"Desa": sheet_rows(site_rows({"V-004": {"kind": "desa"}}), first=2)}, merged={"Desa": "A1:I1"}))
    instructions = [(0, ["Petunjuk pengisian"]), (1, ["Isi satu baris per lokasi."]), (2, ["Koordinat dalam derajat desimal."])]
    xlsx_case("xlsx_sheet_order", "the instructions sheet first, the sites on the second sheet",
              workbook({"Petunjuk": instructions, "Desa": sheet_rows(site_rows())}))
    xlsx_case("xlsx_sheet_missing", "the scenario names a sheet the workbook does not have",
              workbook({"Petunjuk": instructions, "Desa": sheet_rows(site_rows())}), sites="sites.xlsx#Sites")
    formulas = [r[:5] + [(f"=ROUND({r[5]}*1,0)", int(r[5]))] + r[6:] for r in site_rows()]
    xlsx_case("xlsx_formulas_without_results", "counts as formulas saved without their results (a generated file)",
              workbook({"Desa": sheet_rows(formulas)}, no_results=True))
    xlsx_case("xlsx_formulas_with_results", "counts as formulas with their saved results (read as the values)",
              workbook({"Desa": sheet_rows(formulas)}))
    xlsx_case("xlsx_stray_cell", "one stray cell at XFD1048576 (the last cell of a sheet)",
              workbook({"Desa": sheet_rows(site_rows())}, cells=[("Desa", 1048575, 16383, "x")]))
    na = sheet_rows(site_rows())
    na[3] = (3, [*na[3][1][:3], ("=VLOOKUP(A4,Koordinat!A:C,2,FALSE)", "#N/A"), *na[3][1][4:]])
    xlsx_case("xlsx_error_value", "#N/A in a latitude (a lookup that found nothing)", workbook({"Desa": na}))
    xlsx_case("xlsx_decimal_comma_text", "a latitude typed as text with a decimal comma",
              workbook({"Desa": sheet_rows(site_rows())}, cells=[("Desa", 3, 3, "-1,7420")]))
    xlsx_case("xlsx_is_csv", "a CSV file renamed to sites.xlsx", good_sites.encode())
    xlsx_case("xlsx_is_legacy_xls", "an old .xls workbook named sites.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return c


def write(expect: bool) -> None:
    for name, files in cases().items():
        folder = BAD / name
        folder.mkdir(parents=True, exist_ok=True)
        for file, content in files.items():
            target = folder / file
            target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if expect:
        sys.path.insert(0, str(ROOT))
        from tests.planner.test_bad_corpus import answer, case_dirs

        for folder in case_dirs():
            (folder / "expected.txt").write_text(answer(folder) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(expect="--expect" in sys.argv)
