"""The overview's panel of field links: per team, a QR code of each team-day's field app to scan with a phone."""

from __future__ import annotations

from planner.io.links import Links, qr_svg_uri
from planner.model import Scenario
from planner.plan import Plan

from maps.common import esc
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
