"""Map texts: every site kind, left-out reason and label exists in Bahasa Indonesia and English."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.model import SiteKind
from planner.plan import LeftOutReason

from maps import i18n


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_kind_reason_and_label_is_translated(lang: str) -> None:
    assert len({i18n.kind_label(k, lang) for k in SiteKind}) == len(SiteKind)
    assert len({i18n.reason_label(r, lang) for r in LeftOutReason}) == len(LeftOutReason)
    assert set(i18n._LABELS[lang]) == set(i18n._LABELS["id"])


def test_dates() -> None:
    day = dt.date(2026, 11, 27)
    assert i18n.long_date(day) == "Jumat, 27 November 2026"
    assert i18n.long_date(day, "en") == "Friday, 27 November 2026"
    assert i18n.short_date(day) == "Jumat 27/11"


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        i18n.t("route", "fr")
