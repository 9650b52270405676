"""The campaign page's words in Bahasa Indonesia (default) and English; a missing key falls back to Indonesian."""

from __future__ import annotations

from maps.i18n import DEFAULT_LANG, check_lang

_TEXT: dict[str, dict[str, str]] = {
    "id": {
        "title": "Kampanye sampai tenggat",
        "deadline": "Tenggat",
        "weeks": "Minggu",
        "start": "Mulai",
        "recorded_total": "Perkiraan direkam sampai tenggat",
        "left_total": "Belum direkam pada tenggat",
        "share_chart": "Bagian yang direkam per kabupaten/kota, minggu demi minggu",
        "regency": "Kabupaten/kota",
        "week_of": "Minggu mulai",
        "share_at_deadline": "Pada tenggat",
        "remaining": "Sisa",
        "decisions": "Keputusan terbaik",
        "decision": "Keputusan",
        "gain": "Tambahan perekaman",
        "per_kit_week": "per kit-minggu",
        "basis": "Dasar",
        "basis_plans": "diuji dengan rencana",
        "basis_model": "perkiraan model",
        "gaining": "Kabupaten/kota yang bertambah",
        "map_left": "Belum direkam pada tenggat",
        "map_share": "Bagian direkam pada tenggat",
        "people_left": "orang belum direkam",
        "assumptions": "Asumsi (proyeksi adalah perkiraan)",
        "assume_turnout": "Setiap kunjungan merekam sebanyak perkiraan rencana; kunjungan ke-n ke satu lokasi menarik kehadiran × {decay}^(n−1) dari yang tersisa.",
        "assume_repair": "Kit dalam perbaikan kembali sehari setelah tanggal perbaikannya; kit rusak tanpa tanggal tetap rusak kecuali diperbaiki lebih dulu (kembali {days} hari setelah mulai).",
        "assume_lend": "Kit kantor kecamatan yang dipinjamkan tidak merekam di kantor selama kampanye.",
        "assume_team": "Tim tambahan: {kits} kit, kendaraan dan jam kerja tim pertama kabupaten/kota itu, markas di kantornya.",
        "assume_screen": "Keputusan disaring dengan model kapasitas yang dikalibrasi pada rencana minggu-minggu ini; {n} teratas dan yang terbaik dari tiap jenis diuji dengan rencana sungguhan (dasar: diuji dengan rencana).",
        "none": "tidak ada",
    },
    "en": {
        "title": "Campaign to the deadline",
        "deadline": "Deadline",
        "weeks": "Weeks",
        "start": "Start",
        "recorded_total": "Expected recordings by the deadline",
        "left_total": "Unrecorded at the deadline",
        "share_chart": "Share recorded per regency, week by week",
        "regency": "Regency",
        "week_of": "Week from",
        "share_at_deadline": "At the deadline",
        "remaining": "Left",
        "decisions": "Top decisions",
        "decision": "Decision",
        "gain": "Extra recordings",
        "per_kit_week": "per kit-week",
        "basis": "Basis",
        "basis_plans": "tested by plans",
        "basis_model": "model estimate",
        "gaining": "Regencies that gain",
        "map_left": "Unrecorded at the deadline",
        "map_share": "Share recorded by the deadline",
        "people_left": "people unrecorded",
        "assumptions": "Assumptions (projections are expectations)",
        "assume_turnout": "Every visit records what the plan expects; a site's n-th visit draws turnout × {decay}^(n−1) of those left.",
        "assume_repair": "A kit in repair is back the day after its repair date; a broken kit with no date stays broken unless repaired first (back {days} days after the start).",
        "assume_lend": "A district office's kit lent to a team records nobody at the office during the campaign.",
        "assume_team": "An added team: {kits} kits, the vehicle and hours of the regency's first team, based at its office.",
        "assume_screen": "Decisions are screened by a capacity model calibrated on these weeks' plans; the top {n} and the best of each kind are tested by real plans (basis: tested by plans).",
        "none": "none",
    },
}


def ct(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The campaign page's text for `key` in `lang`, formatted with `values` (not escaped: callers escape)."""
    check_lang(lang)
    text = _TEXT.get(lang, {}).get(key) or _TEXT[DEFAULT_LANG][key]
    return text.format(**values) if values else text
