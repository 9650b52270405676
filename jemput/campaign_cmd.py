"""`jemput campaign`: plan week after week to a deadline and rank what-if decisions (planner.campaign)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from planner import units
from planner.campaign.assumptions import ADD_TEAM_KITS, REPAIR_DAYS

console = Console()
MAX_WEEKS = 52


def campaign(
    scenario: Path = typer.Argument(..., help="scenario.yaml or .json: the first week of the campaign"),
    deadline: str = typer.Option(..., "--deadline", help="last day of the campaign, YYYY-MM-DD"),
    out: Path = typer.Option(Path("out/campaign"), "--out", help="folder for projection.csv, decisions.csv, campaign.html"),
    time_limit: float = typer.Option(10.0, "--time-limit", help="seconds of search per week's plan"),
    confirm: int = typer.Option(3, "--confirm", help="top decisions whose gain is measured by planning them, with the best of each kind (0 = model only)"),
    repair_days: int = typer.Option(REPAIR_DAYS, "--repair-days", help="days a kit sent for repair first is away"),
    add_team_kits: int = typer.Option(ADD_TEAM_KITS, "--add-team-kits", help="working kits of a team added to a regency"),
    seed: int = typer.Option(units.DEFAULT_SEED, "--seed"),
    workers: int = typer.Option(0, "--workers", help="processes per week's plan (0 = one per CPU)"),
    max_solutions: int = typer.Option(0, "--max-solutions", help="stop each part after N improving solutions (repeatable; 0 = time limit only)"),
    lang: str = typer.Option("id", "--lang", help="id (Bahasa Indonesia) or en: campaign.html's language"),
) -> None:
    """Roll SCENARIO week by week to the deadline: projection.csv, decisions.csv and campaign.html in OUT."""
    from jemput.campaign_service import write_campaign
    from jemput.cli import _read_scenario
    from planner.campaign import CampaignError, CampaignOptions, plan_campaign

    if lang not in ("id", "en"):
        console.print(f"[red]--lang: expected id or en, got {lang!r}[/red]")
        raise typer.Exit(2)
    try:
        end = dt.date.fromisoformat(deadline)
    except ValueError:
        console.print(f"[red]--deadline: expected a date YYYY-MM-DD, got {deadline!r}[/red]")
        raise typer.Exit(2) from None
    for name, value, low in (("--time-limit", time_limit, 0.1), ("--confirm", confirm, 0), ("--repair-days", repair_days, 0),
                             ("--add-team-kits", add_team_kits, 1), ("--workers", workers, 0), ("--max-solutions", max_solutions, 0)):
        if value < low:
            console.print(f"[red]{name}: must be at least {low:g}, got {value:g}[/red]")
            raise typer.Exit(2)
    sc = _read_scenario(scenario)
    weeks = (end - sc.horizon.start).days // 7 + 1
    if end < sc.horizon.start:
        console.print(f"[red]--deadline {end} is before the scenario's first day {sc.horizon.start}[/red]")
        raise typer.Exit(2)
    if weeks > MAX_WEEKS:
        console.print(f"[red]--deadline {end} is {weeks} weeks away; at most {MAX_WEEKS} weeks are planned[/red]")
        raise typer.Exit(2)
    options = CampaignOptions(
        deadline=end, week_time_limit_s=time_limit, seed=seed, workers=workers or None,
        max_solutions=max_solutions or None, confirm_top=confirm, repair_days=repair_days, add_team_kits=add_team_kits,
    )
    t0 = time.monotonic()
    try:
        result = plan_campaign(sc, options, lambda m: console.print(f"[dim]{time.monotonic() - t0:6.1f} s[/dim] {m}", highlight=False))
    except CampaignError as e:
        console.print(f"[red]{e}[/red]", markup=False)
        raise typer.Exit(1) from None
    files = write_campaign(result, out, lang)
    _summary(result)
    console.print(f"{time.monotonic() - t0:.0f} s; wrote " + ", ".join(str(p) for p in files.values()))
    console.print("projections are expectations: every visit records what the plan expects (see campaign.html, assumptions)")


def _summary(result) -> None:  # noqa: ANN001 - planner.campaign.Campaign, imported lazily
    run = result.baseline
    left = sum(s.unrecorded for s in run.final.sites)
    start = sum(s.unrecorded for s in run.start.sites)
    console.print(f"{len(run.weeks)} weeks to {result.options.deadline}: {run.recorded():,} expected recordings, "
                  f"{left:,} of {start:,} unrecorded left at the deadline")
    t = Table(title="top decisions (gain = recordings before the deadline)")
    for col in ("#", "decision", "gain", "per kit-week", "basis", "regencies"):
        t.add_column(col, justify="right" if col in ("#", "gain", "per kit-week") else "left")
    for i, d in enumerate(result.decisions[:10], 1):
        t.add_row(str(i), d.action.describe("en", result.regency_names), f"{d.gain:,.0f}", f"{d.gain_per_kit_week:,.1f}", d.basis, " ".join(d.gaining_regencies()))
    console.print(t)
