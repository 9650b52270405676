"""The overview's panel of field links: per team, a QR code of each team-day's field app to scan with a phone."""

from __future__ import annotations

from planner.io.links import Links, qr_svg_uri
from planner.io.reports import TeamDayStatus
from planner.model import Scenario
from planner.plan import Plan, TeamDay

from maps.common import esc, number
from maps.i18n import short_date, t


def links_panel(scenario: Scenario, plan: Plan, links: Links, lang: str) -> str:
    """Escaped HTML: a collapsed panel, one <details> per team, a QR image and the URL per team-day."""
    teams = scenario.team_by_id()
    parts = [
        f"<div class='jemput-panel jemput-links' id='jemput-links'><details><summary>{esc(t('field_links', lang))}"
        f"</summary><p style='margin:2px 0'>{esc(t('field_links_note', lang))}</p>"
    ]
    for team_id in sorted({td.team_id for td in plan.team_days}):
        days = sorted(td.date for td in plan.team_days if td.team_id == team_id and (team_id, td.date) in links)
        if not days:
            continue
        name = teams[team_id].name if team_id in teams else team_id
        parts.append(f"<details class='jemput-team-links'><summary>{esc(name)}</summary>")
        for day in days:
            url = links[(team_id, day)]
            parts.append(
                f"<figure class='jemput-qr' data-team='{esc(team_id)}' data-date='{day.isoformat()}' style='margin:4px 0'>"
                f"<img src='{qr_svg_uri(url)}' alt='QR {esc(name)} {day.isoformat()}' width='132' height='132'>"
                f"<figcaption>{esc(short_date(day, lang))}<br><a href='{esc(url)}' target='_blank' rel='noopener'"
                f" style='word-break:break-all;font-size:11px'>{esc(url)}</a></figcaption></figure>"
            )
        parts.append("</details>")
    parts.append("</details></div>")
    return "".join(parts)


def status_line(status: TeamDayStatus | None, td: TeamDay, lang: str) -> str:
    """Escaped tooltip lines of a route: what the field reported (done, missed, open; people recorded
    against expected) and the records left unsent at the end of the day."""
    parts = []
    if status is not None and status.reports:
        parts.append(
            f"<br><span class='jemput-status'>{esc(t('status_done', lang))} {status.done} · {esc(t('status_missed', lang))}"
            f" {status.missed} · {esc(t('status_open', lang))} {status.open} · {esc(t('people_recorded', lang))}"
            f" {number(status.people_recorded, lang)} / {number(status.people_expected, lang)}</span>"
        )
        if status.kit_failures:
            parts.append(f"<br>{esc(t('kind_kit_failure', lang))}: {esc(', '.join(status.kit_failures))}")
    if td.pending_records:
        parts.append(f"<br>{esc(t('pending_records', lang, n=number(td.pending_records, lang)))}")
    return "".join(parts)
