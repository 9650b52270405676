"""Map texts in Bahasa Indonesia (default) and English: labels, site kinds, left-out reasons, dates.

Every string a map shows comes from here, so a coordinator's map and a field team's page speak the
same words. Keys missing from a language fall back to Indonesian.
"""

from __future__ import annotations

import datetime as dt

from planner import units
from planner.model import SiteKind
from planner.plan import LeftOutReason

LANGS = ("id", "en")
DEFAULT_LANG = "id"

_LABELS: dict[str, dict[str, str]] = {
    "id": {
        "overview_title": "Ringkasan rencana",
        "field_title": "Rute tim",
        "crossings": "Penyeberangan",
        "crossing_bridge": "jembatan",
        "crossing_ferry": "feri",
        "crossing_boat": "perahu",
        "always_open": "selalu buka",
        "every_min": "setiap {n} menit",
        "vehicles": "Kendaraan",
        "departs": "berangkat",
        "from_port": "dari",
        "on_board": "di kapal",
        "bridge_over": "lewat jembatan",
        "unrecorded": "Belum direkam",
        "planned_visits": "Kunjungan terencana",
        "not_visited": "Tidak dikunjungi",
        "reason": "Alasan",
        "kind": "Jenis",
        "people": "orang",
        "expected_people": "Perkiraan direkam",
        "expected_recordings": "Perkiraan perekaman",
        "upper_bound": "Batas atas",
        "gap": "Selisih dari batas atas",
        "share_reached": "Bagian yang terjangkau",
        "travel_hours": "Jam perjalanan",
        "travel": "Perjalanan",
        "sites_served": "Lokasi dikunjungi",
        "sites_left_out": "Lokasi tidak dikunjungi",
        "legend": "Keterangan",
        "served": "Dikunjungi (terisi)",
        "left_out": "Tidak dikunjungi (kosong)",
        "size_note": "Ukuran lingkaran = jumlah belum direkam",
        "teams": "Tim",
        "sites": "Lokasi",
        "bases": "Kantor tim",
        "coverage_regency": "Cakupan per kabupaten/kota",
        "coverage_district": "Cakupan per kecamatan",
        "coverage": "Cakupan",
        "nobody_left": "tidak ada yang belum direkam",
        "route": "Rute",
        "stops": "Persinggahan",
        "arrival": "Tiba",
        "recording": "Perekaman",
        "opening_hours": "Jam buka hari ini",
        "closed": "tutup",
        "depart": "Berangkat",
        "return": "Kembali",
        "start": "Mulai",
        "end": "Selesai",
        "base": "Kantor",
        "lodging": "Menginap",
        "navigate": "Navigasi",
        "google_maps": "Google Maps",
        "visit_no": "Kunjungan ke-{n}",
        "working_kits": "Alat perekaman berfungsi",
        "note": "Catatan",
        "no_route": "Tidak ada rute untuk tim ini pada hari ini.",
        "location_estimated": "lokasi perkiraan",
        "no_signal": "tanpa sinyal: rekaman menunggu di alat sampai ada sinyal",
        "total": "Jumlah",
        "minutes": "menit",
        "km": "km",
        "map": "Peta",
        "unknown_area": "(tanpa kode wilayah)",
        "field_links": "Tautan lapangan (QR)",
        "field_links_note": "Pindai dengan ponsel tim; kunci tim diminta sekali.",
    },
    "en": {
        "overview_title": "Plan overview",
        "field_title": "Team route",
        "crossings": "Crossings",
        "crossing_bridge": "bridge",
        "crossing_ferry": "ferry",
        "crossing_boat": "boat",
        "always_open": "always open",
        "every_min": "every {n} min",
        "vehicles": "Vehicles",
        "departs": "departs",
        "from_port": "from",
        "on_board": "on board",
        "bridge_over": "over the bridge",
        "unrecorded": "Not yet recorded",
        "planned_visits": "Planned visits",
        "not_visited": "Not visited",
        "reason": "Reason",
        "kind": "Kind",
        "people": "people",
        "expected_people": "Expected recordings",
        "expected_recordings": "Expected recordings",
        "upper_bound": "Upper bound",
        "gap": "Gap to bound",
        "share_reached": "Share of unrecorded reached",
        "travel_hours": "Travel hours",
        "travel": "Travel",
        "sites_served": "Sites served",
        "sites_left_out": "Sites left out",
        "legend": "Legend",
        "served": "Served (filled)",
        "left_out": "Left out (hollow)",
        "size_note": "Circle size = people not yet recorded",
        "teams": "Teams",
        "sites": "Sites",
        "bases": "Team offices",
        "coverage_regency": "Coverage by regency",
        "coverage_district": "Coverage by district",
        "coverage": "Coverage",
        "nobody_left": "nobody left to record",
        "route": "Route",
        "stops": "Stops",
        "arrival": "Arrive",
        "recording": "Recording",
        "opening_hours": "Open today",
        "closed": "closed",
        "depart": "Depart",
        "return": "Back",
        "start": "Start",
        "end": "End",
        "base": "Office",
        "lodging": "Overnight",
        "navigate": "Navigate",
        "google_maps": "Google Maps",
        "visit_no": "Visit {n}",
        "working_kits": "Working kits",
        "note": "Note",
        "no_route": "No route for this team on this day.",
        "location_estimated": "estimated location",
        "no_signal": "no signal: records wait on the kit until there is signal",
        "total": "Total",
        "minutes": "min",
        "km": "km",
        "map": "Map",
        "unknown_area": "(no area code)",
        "field_links": "Field links (QR)",
        "field_links_note": "Scan with the team's phone; the team key is asked once.",
    },
}

# The field app's report form and outbox (maps/field_app.py, maps/static/app.js).
_LABELS["id"].update({
    "report": "Laporan", "report_time": "Jam", "people_recorded": "Orang direkam", "kit": "Alat perekaman",
    "save_report": "Simpan laporan", "send_now": "Kirim", "reports_loading": "Memuat laporan…",
    "kind_arrived": "Tiba", "kind_done": "Selesai", "kind_missed": "Tidak jadi", "kind_kit_failure": "Alat rusak",
    "kind_note": "Catatan", "pending_n": "{n} laporan belum terkirim", "all_sent": "Semua laporan terkirim",
    "offline": "tanpa sinyal — laporan disimpan di ponsel", "state_pending": "belum terkirim",
    "state_sent": "terkirim", "state_rejected": "ditolak", "need_people": "Isi jumlah orang yang direkam",
    "key_title": "Kunci tim", "key_prompt": "Masukkan kunci lapangan tim (diberikan koordinator). Cukup sekali di ponsel ini.",
    "key_wrong": "Kunci tidak dikenal atau bukan untuk tim ini.", "key_submit": "Buka rute",
    "reason_jalan_putus": "Jalan putus", "reason_banjir": "Banjir", "reason_lokasi_tutup": "Lokasi tutup",
    "reason_warga_tidak_ada": "Warga tidak ada", "reason_kendaraan_rusak": "Kendaraan rusak",
    "reason_cuaca_buruk": "Cuaca buruk", "reason_lainnya": "Lainnya",
    "people_short": "orang",
    "status_done": "selesai", "status_missed": "tidak jadi", "status_open": "belum dilapor",
    "pending_records": "{n} rekaman belum terkirim di akhir hari (tanpa sinyal)",
    "key_refused": "kunci lapangan ditolak: buka lagi tautan tim dan masukkan kunci",
    "send_retry": "gagal mengirim, dicoba lagi otomatis",
})
_LABELS["en"].update({
    "report": "Report", "report_time": "Time", "people_recorded": "People recorded", "kit": "Recording kit",
    "save_report": "Save report", "send_now": "Send", "reports_loading": "Loading reports…",
    "kind_arrived": "Arrived", "kind_done": "Done", "kind_missed": "Missed", "kind_kit_failure": "Kit failed",
    "kind_note": "Note", "pending_n": "{n} reports not sent yet", "all_sent": "All reports sent",
    "offline": "no signal — reports are kept on the phone", "state_pending": "not sent yet",
    "state_sent": "sent", "state_rejected": "rejected", "need_people": "Enter the number of people recorded",
    "key_title": "Team key", "key_prompt": "Enter the team's field key (from the coordinator). Once on this phone is enough.",
    "key_wrong": "Unknown key, or not a key of this team.", "key_submit": "Open the route",
    "reason_jalan_putus": "Road cut off", "reason_banjir": "Flood", "reason_lokasi_tutup": "Site closed",
    "reason_warga_tidak_ada": "Nobody came", "reason_kendaraan_rusak": "Vehicle broke down",
    "reason_cuaca_buruk": "Bad weather", "reason_lainnya": "Other",
    "people_short": "people",
    "status_done": "done", "status_missed": "missed", "status_open": "not reported",
    "key_refused": "field key refused: open the team's link again and enter the key",
    "send_retry": "could not send, will retry by itself",
    "pending_records": "{n} records not sent at the end of the day (no signal)",
})

_KINDS: dict[str, dict[SiteKind, str]] = {
    "id": {
        SiteKind.village: "Desa/kelurahan",
        SiteKind.prison: "Lapas/rutan",
        SiteKind.hospital: "Rumah sakit",
        SiteKind.school: "Sekolah",
        SiteKind.care_home: "Panti",
        SiteKind.other: "Lainnya",
    },
    "en": {
        SiteKind.village: "Village",
        SiteKind.prison: "Prison",
        SiteKind.hospital: "Hospital",
        SiteKind.school: "School",
        SiteKind.care_home: "Care home",
        SiteKind.other: "Other",
    },
}

_REASONS: dict[str, dict[LeftOutReason, str]] = {
    "id": {
        LeftOutReason.no_unrecorded: "Tidak ada lagi penduduk yang belum direkam",
        LeftOutReason.no_team: "Tidak ada tim dari kantor yang mencakup kabupaten/kota ini",
        LeftOutReason.needs_generator: "Tidak ada listrik dan tidak ada tim yang membawa genset",
        LeftOutReason.needs_clearance: "Perlu izin khusus yang tidak dimiliki tim mana pun",
        LeftOutReason.needs_vehicle: "Jalur (sungai/motor) perlu kendaraan yang tidak dimiliki tim",
        LeftOutReason.needs_skill: "Perlu keahlian yang tidak dimiliki tim mana pun",
        LeftOutReason.closed_all_days: "Tutup pada semua hari kerja tim",
        LeftOutReason.no_working_kit: "Tidak ada alat perekaman berfungsi pada hari lokasi buka",
        LeftOutReason.no_crossing: "Di pulau lain tanpa jembatan, feri atau perahu dari pulau tim",
        LeftOutReason.out_of_reach: "Tidak terjangkau dalam jam kerja dan batas waktu perjalanan",
        LeftOutReason.lower_value: "Terjangkau, tetapi tim yang bisa datang sibuk di lokasi bernilai lebih tinggi",
        LeftOutReason.not_reached_in_time: "Terjangkau, tetapi waktu perencanaan habis sebelum lokasi ini diberikan ke tim",
    },
    "en": {
        LeftOutReason.no_unrecorded: "Nobody left to record",
        LeftOutReason.no_team: "No team's office covers this regency",
        LeftOutReason.needs_generator: "No electricity and no team that could go has a generator",
        LeftOutReason.needs_clearance: "Needs a clearance no team that could go holds",
        LeftOutReason.needs_vehicle: "Access (river, motorbike track) needs a vehicle no team has",
        LeftOutReason.needs_skill: "Needs a skill no team that could go has",
        LeftOutReason.closed_all_days: "Closed on every day a team works",
        LeftOutReason.no_working_kit: "No working recording kit on the days it is open",
        LeftOutReason.no_crossing: "On another island with no bridge, ferry or boat from a team's island",
        LeftOutReason.out_of_reach: "Out of reach within working hours and the driving limit",
        LeftOutReason.lower_value: "Reachable, but the teams that could go were busy with higher-value sites",
        LeftOutReason.not_reached_in_time: "Reachable, but the search ran out of time before giving it to a team",
    },
}

_DAYS = units.DAY_NAMES

_MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
}


def check_lang(lang: str) -> str:
    """The language code if supported, so a typo fails loudly instead of showing mixed languages."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; choose one of: {', '.join(LANGS)}")
    return lang


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """A label in the language (Indonesian if the key has no translation), with {placeholders} filled."""
    text = _LABELS[check_lang(lang)].get(key) or _LABELS[DEFAULT_LANG][key]
    return text.format(**values) if values else text


def kind_label(kind: SiteKind | str, lang: str = DEFAULT_LANG) -> str:
    """The name of a site kind, e.g. 'Lapas/rutan' for prison."""
    return _KINDS[check_lang(lang)][SiteKind(kind)]


def reason_label(reason: LeftOutReason | str, lang: str = DEFAULT_LANG) -> str:
    """A plain sentence for why a site got no visit."""
    return _REASONS[check_lang(lang)][LeftOutReason(reason)]


def day_name(day: dt.date, lang: str = DEFAULT_LANG) -> str:
    """The weekday name of a date, e.g. 'Senin'."""
    return _DAYS[check_lang(lang)][day.weekday()]


def short_date(day: dt.date, lang: str = DEFAULT_LANG) -> str:
    """A compact date for layer names, e.g. 'Senin 23/11'."""
    return f"{day_name(day, lang)} {day.day:02d}/{day.month:02d}"


def long_date(day: dt.date, lang: str = DEFAULT_LANG) -> str:
    """A full date for page headers, e.g. 'Senin, 23 November 2026' or 'Monday, 23 November 2026'."""
    return f"{day_name(day, lang)}, {day.day} {_MONTHS[check_lang(lang)][day.month - 1]} {day.year}"
