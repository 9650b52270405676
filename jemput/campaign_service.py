"""Writing a campaign: the CSV tables and the HTML page (used by `jemput campaign` and the API worker)."""

from __future__ import annotations

from pathlib import Path

from planner.campaign import Campaign
from planner.campaign.tables import write_tables

from maps.campaign import write_campaign_page


def write_campaign(campaign: Campaign, out: Path, lang: str = "id") -> dict[str, Path]:
    """projection.csv, decisions.csv and campaign.html (in `lang`; campaign.en.html / campaign.id.html beside it
    in the other language) into OUT; returns what was written by name."""
    files = write_tables(campaign, out)
    files["html"] = write_campaign_page(campaign, out / "campaign.html", lang)
    other = "en" if lang == "id" else "id"
    files[f"html_{other}"] = write_campaign_page(campaign, out / f"campaign.{other}.html", other)
    return files
