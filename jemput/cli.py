"""The `jemput` command: validate inputs, write the bundled example, plan a week, verify a plan, re-plan it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from jemput.answers import memory_answered
from jemput.server_cli import api_settings as _api_settings
from jemput.server_cli import keys_app, serve, worker
from planner import units
from planner.plan import Plan

app = typer.Typer(add_completion=False, no_args_is_help=True, help="jemput: weekly plans for mobile e-KTP recording teams.")
console = Console()


@app.command()
def validate(scenario: Path = typer.Argument(..., help="scenario.yaml or .json")) -> None:
    """Check a scenario and its tables; list every problem with file, row, column and reason."""
    from planner.io.load import validate_scenario

    sc, report = validate_scenario(scenario)
    if report.problems:
        console.print(report.format(), markup=False, highlight=False, soft_wrap=True)
    if sc is None:
        console.print(f"[red]{scenario}: not valid ({report.error_count} errors)[/red]")
        raise typer.Exit(1)
    _print_summary(sc)


@app.command()
def example(
    name: str = typer.Argument("jambi", help="bundled province"),
    out: Path = typer.Option(..., "--out", help="folder to write the editable files into"),
    overwrite: bool = typer.Option(False, help="replace files in a non-empty folder"),
) -> None:
    """Write a bundled province as the files a coordinator keeps (a working template)."""
    from planner.io.bundled import write_example

    try:
        path = write_example(name, out, overwrite=overwrite)
    except (ValueError, FileExistsError) as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    console.print(f"wrote {path}\nnext: jemput validate {path}")


@app.command()
def plan(
    scenario: Path = typer.Argument(..., help="scenario.yaml or .json"),
    out: Path = typer.Option(Path("out"), "--out", help="folder for plan.json, roster and maps"),
    time_limit: float = typer.Option(units.DEFAULT_TIME_LIMIT_S, "--time-limit", help="seconds of search in all"),
    seed: int = typer.Option(0, "--seed"),
    workers: int = typer.Option(0, "--workers", help="processes for the parts (0 = one per CPU)"),
    maps: bool = typer.Option(True, "--maps/--no-maps", help="write overview and field maps"),
    lang: str = typer.Option("id", "--lang", help="id (Bahasa Indonesia) or en"),
    max_solutions: int = typer.Option(0, "--max-solutions", help="stop each part after N improving solutions: bit-for-bit repeatable on any machine (0 = time limit only)"),
    dask: str = typer.Option("", "--dask", help="solve the regency parts on Dask: local[:N] or tcp://host:8786"),
    portfolio: bool = typer.Option(False, "--portfolio", help="a part searched alone (a one-part week, the provincial teams) runs as different searches on every worker process, the best kept"),
) -> None:
    """Plan the week for every team of SCENARIO and write it to OUT."""
    from planner.io.load import validate_scenario

    sc, report = validate_scenario(scenario)
    if sc is None:
        console.print(report.format(), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    from planner.solve.backends import backend_from_spec

    try:
        backend = backend_from_spec(dask)
    except ValueError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    try:
        with memory_answered(console):
            _plan_and_write(sc, out, time_limit, seed, workers, maps, lang, str(Path(scenario).resolve()), max_solutions, backend, portfolio)
    finally:
        if backend is not None:
            backend.close()



@app.command()
def demo(
    out: Path = typer.Option(Path("out/demo"), "--out"),
    time_limit: float = typer.Option(60.0, "--time-limit"),
    seed: int = typer.Option(0, "--seed"),
    maps: bool = typer.Option(True, "--maps/--no-maps"),
    lang: str = typer.Option("id", "--lang"),
) -> None:
    """Plan a week for the bundled Jambi province, verify it and print the KPIs."""
    from planner.io.bundled import jambi_scenario_path
    from planner.io.load import load_scenario

    path = jambi_scenario_path()
    sc = load_scenario(path)
    _print_summary(sc)
    _plan_and_write(sc, out, time_limit, seed, 0, maps, lang, str(path))


@app.command()
def verify(plan_json: Path = typer.Argument(..., help="plan.json written by `jemput plan`")) -> None:
    """Re-check a plan with the independent validator; exit 1 listing each violation."""
    from planner.check.validate import format_violations, validate_plan
    from planner.io.export import read_plan_json

    p = read_plan_json(plan_json)
    if not p.scenario_file:
        console.print("[red]plan.json names no scenario file[/red]")
        raise typer.Exit(2)
    violations = validate_plan(_read_scenario(Path(p.scenario_file)), p)
    if violations:
        console.print(format_violations(violations), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"{plan_json}: valid ({sum(len(t.stops) for t in p.team_days)} visits checked)")


app.command()(serve)  # the HTTP API's commands: jemput/server_cli.py
app.command()(worker)
app.add_typer(keys_app, name="keys")


@app.command()
def reports(
    plan_id: str = typer.Argument(..., help="the plan's id on the server (as in /v1/plans/PLAN_ID)"),
    out: Path = typer.Option(Path("outcomes.csv"), "--out", help="the outcomes table to write (CSV)"),
) -> None:
    """The field reports of a plan in the server's database as an outcomes table for `jemput replan`."""
    from api.reports import outcomes_of_plan
    from planner.io.reports import write_outcomes_csv

    try:
        outcomes, count, left = outcomes_of_plan(plan_id, _api_settings())
    except LookupError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(1) from None
    write_outcomes_csv(outcomes, out)
    note = f" ({left} sent to an earlier plan left out: stops this re-plan no longer has)" if left else ""
    console.print(f"{count} reports → {len(outcomes.outcomes)} outcomes: {out}{note}")


@app.command()
def replan(
    plan_json: Path = typer.Argument(..., help="plan.json of the week being worked"),
    outcomes: Path = typer.Argument(..., help="field outcomes table (CSV or XLSX, see docs/data-format.md)"),
    from_time: str = typer.Option(..., "--from", help="re-plan from this local time, e.g. 2026-11-25T12:00"),
    out: Path = typer.Option(Path("out/replan"), "--out", help="folder for the new plan, churn, roster and maps"),
    scenario: Path = typer.Option(None, "--scenario", help="scenario file (default: the one the plan names)"),
    time_limit: float = typer.Option(units.DEFAULT_TIME_LIMIT_S, "--time-limit", help="seconds of search in all"),
    seed: int = typer.Option(0, "--seed"),
    workers: int = typer.Option(0, "--workers", help="processes for the parts (0 = one per CPU)"),
    max_solutions: int = typer.Option(0, "--max-solutions", help="stop each part after N improving solutions (0 = time limit only)"),
    move_penalty: float = typer.Option(units.DEFAULT_MOVE_PENALTY, "--move-penalty", help="weighted recordings a visit must gain to move to another team or day"),
    maps: bool = typer.Option(True, "--maps/--no-maps"),
    lang: str = typer.Option("id", "--lang", help="id (Bahasa Indonesia) or en"),
) -> None:
    """Re-plan the rest of the week from --from with the field's outcomes; what was done stays."""
    import datetime as dt

    from jemput.service import SCENARIO_JSON, process_started_at, replan_and_check, write_outputs
    from planner.replan.week import ReplanOptions
    from planner.solve.week import SolveOptions

    old, sc, facts = _week_and_outcomes(plan_json, scenario, outcomes)
    try:
        start = dt.datetime.fromisoformat(from_time)
    except ValueError:
        console.print(f"[red]--from {from_time!r} is not a time like 2026-11-25T12:00[/red]")
        raise typer.Exit(2) from None
    from planner.io.outcomes import check_from_time
    from planner.io.problems import Report

    when = Report()
    check_from_time(start, sc, when, label="--from")
    if when.problems:
        console.print(when.format(), markup=False, highlight=False, soft_wrap=True)
    if not when.ok:
        raise typer.Exit(2)
    opts = ReplanOptions(SolveOptions(time_limit, seed, workers or None, max_solutions or None, started_at=process_started_at()), move_penalty)
    scenario_file = str((out / SCENARIO_JSON).resolve())
    with console.status("re-planning"), memory_answered(console):
        checked = replan_and_check(sc, old, facts, start, opts, scenario_file=scenario_file)
    files = write_outputs(checked, out, lang, maps, save_scenario=True)
    _print_maps(files, checked.plan)
    _print_kpis(checked.plan)
    _print_churn(checked.churn, checked.plan.replan.unchanged)
    if not checked.ok:
        console.print(checked.report(), markup=False, highlight=False, soft_wrap=True)
        console.print(f"[red]the plan breaks {len(checked.violations)} constraints (see above)[/red]")
        raise typer.Exit(1)
    console.print(f"plan: {files['plan']}\nplan verified by the independent validator against the facts: no violations")


@app.command()
def roll(
    plan_json: Path = typer.Argument(..., help="plan.json of the week that ended"),
    outcomes: Path = typer.Argument(..., help="field outcomes table of that week"),
    out: Path = typer.Option(Path("out/next-week"), "--out"),
    scenario: Path = typer.Option(None, "--scenario", help="scenario file (default: the one the plan names)"),
    time_limit: float = typer.Option(units.DEFAULT_TIME_LIMIT_S, "--time-limit"),
    seed: int = typer.Option(0, "--seed"),
    workers: int = typer.Option(0, "--workers"),
    max_solutions: int = typer.Option(0, "--max-solutions"),
    maps: bool = typer.Option(True, "--maps/--no-maps"),
    lang: str = typer.Option("id", "--lang"),
) -> None:
    """Plan next week from what was recorded: counts less the recorded, turnout learned, kits carried."""
    from jemput.service import SCENARIO_JSON, write_scenario
    from planner.replan.roll import roll_week

    old, sc, facts = _week_and_outcomes(plan_json, scenario, outcomes)
    nxt = roll_week(sc, old, facts)
    scenario_json = write_scenario(nxt, out / SCENARIO_JSON)
    console.print(f"next week: {scenario_json}")
    _print_summary(nxt)
    with memory_answered(console):
        _plan_and_write(nxt, out, time_limit, seed, workers, maps, lang, str(scenario_json.resolve()), max_solutions)


def _week_and_outcomes(plan_json: Path, scenario: Path | None, outcomes: Path):
    """The plan, its scenario and the field outcomes checked against both (exit 1 listing every problem)."""
    from planner.io.export import read_plan_json
    from planner.io.outcomes import validate_outcomes

    old = read_plan_json(plan_json)
    sc = _scenario_for(old, scenario)
    facts, report = validate_outcomes(outcomes, sc, old)
    if facts is None or report.problems:
        console.print(report.format(), markup=False, highlight=False, soft_wrap=True)
    if facts is None:
        raise typer.Exit(1)
    return old, sc, facts


def _scenario_for(plan: Plan, path: Path | None):
    """The scenario given, or the one the plan names; exit 2 when there is none."""
    path = path or (Path(plan.scenario_file) if plan.scenario_file else None)
    if path is None:
        console.print("[red]plan.json names no scenario file; give --scenario[/red]")
        raise typer.Exit(2)
    return _read_scenario(path)


def _read_scenario(path: Path):
    """A scenario file with its tables, or a scenario saved whole as JSON (exit 1 listing every problem)."""
    from jemput.service import read_scenario
    from planner.io.problems import ScenarioError

    try:
        return read_scenario(path)
    except ScenarioError as e:
        console.print(e.report.format(), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


@app.command()
def batch(
    inputs: list[Path] = typer.Argument(..., help="scenario folders, scenario files, or list files (.txt, one path a line)"),
    out: Path = typer.Option(..., "--out", help="folder: one sub-folder per scenario, plus summary.json/.csv/.md"),
    dask: str = typer.Option("", "--dask", help="local[:N] (a LocalCluster of N worker processes) or a scheduler address tcp://host:8786"),
    processes: int = typer.Option(0, "--processes", help="a local process pool of N workers instead of Dask (0 = in this process)"),
    time_limit: float = typer.Option(units.DEFAULT_TIME_LIMIT_S, "--time-limit", help="seconds of search per scenario"),
    seed: int = typer.Option(0, "--seed"),
    max_solutions: int = typer.Option(0, "--max-solutions", help="stop each part after N improving solutions: the same plans on any backend (0 = time limit only)"),
    retries: int = typer.Option(1, "--retries", help="extra attempts for a scenario that fails"),
    nested: bool = typer.Option(False, "--nested", help="on Dask, also spread each province's regency parts over the cluster"),
    roster: bool = typer.Option(True, "--roster/--no-roster", help="write roster.csv and roster.xlsx per scenario"),
    lang: str = typer.Option("id", "--lang", help="id (Bahasa Indonesia) or en, for rosters and the summary"),
) -> None:
    """Plan every scenario given (provinces, regencies) on one backend; write each plan as it finishes."""
    from planner.national.batch import BatchOptions
    from planner.solve.backends import ProcessPoolBackend, backend_from_spec

    if dask and processes:
        console.print("[red]choose --dask or --processes, not both[/red]")
        raise typer.Exit(2)
    if nested and not dask:
        console.print("[red]--nested spreads regency parts over a Dask cluster: give --dask too[/red]")
        raise typer.Exit(2)
    try:
        backend = backend_from_spec(dask) if dask else (ProcessPoolBackend(processes) if processes else None)
    except ValueError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    opts = BatchOptions(time_limit, seed, max_solutions or None, retries, nested, roster, lang)
    try:
        outcomes = _run_batch_with_progress(inputs, out, opts, backend)
    finally:
        if backend is not None:
            backend.close()
    failed = [o for o in outcomes if o.status == "failed"]
    for o in failed:
        console.print(f"[red]{o.name}: failed after {o.attempts} attempt(s): {o.reason}[/red]", highlight=False)
    done = sum(o.status == "done" for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    console.print(f"{done} planned, {skipped} already done (skipped), {len(failed)} failed; summary: {out / 'summary.md'}")
    if failed:
        raise typer.Exit(1)


def _run_batch_with_progress(inputs, out: Path, opts, backend):
    """run_batch with one progress row per scenario."""
    from planner.national.batch import run_batch

    colours = {"done": "green", "skipped": "cyan", "failed": "red", "retrying": "yellow", "running": "white", "queued": "dim"}
    with Progress(TextColumn("{task.fields[name]}"), BarColumn(bar_width=20), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as bar:
        rows: dict[str, int] = {}

        def on_event(e) -> None:
            if e.name not in rows:
                rows[e.name] = bar.add_task("", total=1, name=e.name, start=False)
            finished = e.state in ("done", "skipped", "failed")
            text = f"[{colours.get(e.state, 'white')}]{e.state}[/] {e.detail}"[:120]
            bar.update(rows[e.name], description=text, completed=1 if finished else 0)
            if e.state == "running":
                bar.start_task(rows[e.name])
            if finished:
                bar.stop_task(rows[e.name])

        return run_batch(inputs, out, opts, backend, progress=on_event)


@app.command()
def synth(
    provinces: int = typer.Option(..., "--provinces", help="how many synthetic provinces (copies of Jambi)"),
    out: Path = typer.Option(..., "--out", help="folder: one sub-folder per province, plus provinces.txt"),
    seed: int = typer.Option(0, "--seed"),
    regencies: str = typer.Option("", "--regencies", help="keep only these Jambi regencies, e.g. 15.72,15.71 (small test provinces)"),
    varied: bool = typer.Option(False, "--varied", help="draw new provinces of varied shape (10–40 regencies, 1,000–9,000 sites, a city, river regencies) instead of Jambi copies"),
    sites: int = typer.Option(0, "--sites", help="with --varied: sites per province (default: drawn)"),
    n_regencies: int = typer.Option(0, "--n-regencies", help="with --varied: regencies per province (default: drawn)"),
    shape: str = typer.Option("", "--shape", help="with --varied: compact, long or scattered (default: in turn)"),
) -> None:
    """Write synthetic provinces for scale and robustness tests: moved, jittered copies of the bundled
    Jambi, or (--varied) new provinces drawn from the seed (planner/national/varied.py)."""
    from planner.national.synthetic import write_national
    from planner.national.varied import ProvinceSpec, varied_specs, write_varied

    keep = [r.strip() for r in regencies.split(",") if r.strip()] or None
    try:
        if varied:
            specs = varied_specs(provinces, seed)
            specs = [ProvinceSpec(s.code, n_regencies or s.regencies, sites or max(s.sites, (n_regencies or s.regencies) * 40),
                                  shape or s.shape, s.seed) for s in specs]
            paths = write_varied(out, specs)
        else:
            paths = write_national(out, provinces, seed, keep)
    except ValueError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    console.print(f"wrote {len(paths)} provinces under {out}\nnext: jemput batch {out} --out out/national")


def _plan_and_write(sc, out: Path, time_limit: float, seed: int, workers: int, maps: bool, lang: str, scenario_file: str, max_solutions: int = 0, backend=None, portfolio: bool = False) -> None:
    from jemput.service import plan_and_check, process_started_at, write_outputs
    from planner.solve.week import SolveOptions

    opts = SolveOptions(time_limit_s=time_limit, seed=seed, workers=workers or None, max_solutions=max_solutions or None,
                        backend=backend, started_at=process_started_at(), portfolio=portfolio)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("planning", total=None)

        def on_progress(e) -> None:
            bar.update(task, total=e.total, completed=e.done, description=e.message[:60])

        checked = plan_and_check(sc, opts, progress=on_progress, scenario_file=scenario_file)
    files = write_outputs(checked, out, lang, maps)
    _print_maps(files, checked.plan)
    _print_kpis(checked.plan)
    for name, path in files.items():
        if name != "field_maps":
            console.print(f"{name}: {path}")
    if not checked.ok:
        console.print(checked.report(), markup=False, highlight=False, soft_wrap=True)
        console.print(f"[red]the plan breaks {len(checked.violations)} constraints (see above)[/red]")
        raise typer.Exit(1)
    console.print("plan verified by the independent validator: no violations")


def _print_maps(files: dict, result: Plan) -> None:
    if "field_maps" in files:
        count = sum(1 for td in result.team_days if td.stops)
        console.print(f"field maps: {count} in {files['field_maps']}")


def _print_churn(churn, unchanged: bool) -> None:
    t = Table(title="re-plan: what changed" + (" (nothing: the plan stands)" if unchanged else ""))
    t.add_column("visits")
    t.add_column("count", justify="right")
    for name in ("done", "missed", "assumed_done", "kept", "moved", "added", "dropped"):
        t.add_row(name.replace("_", " "), str(getattr(churn, name)))
    t.add_row("expected recordings, before → now", f"{churn.old_expected_recordings:,} → {churn.new_expected_recordings:,}")
    t.add_row("gain", f"{churn.gain:+,}")
    console.print(t)


def _print_summary(sc) -> None:
    kits, working = sum(len(t.kits) for t in sc.teams), sum(t.working_kits(sc.horizon.start) for t in sc.teams)
    console.print(f"{sc.name}: {len(sc.sites)} sites, {sum(s.unrecorded for s in sc.sites):,} unrecorded, "
                  f"{len(sc.teams)} teams, {kits} kits ({working} working on {sc.horizon.start}), "
                  f"{sc.horizon.days} days from {sc.horizon.start}")


def _print_kpis(p: Plan) -> None:
    k = p.kpis
    t = Table("KPI", Column("value", justify="right"), title=f"{p.scenario_name}: plan")
    t.add_row("expected recordings", f"{k.expected_recordings:,}")
    both = " / ".join("—" if b is None else f"{b:,}" for b in (k.bound_max_flow, k.bound_lp, k.bound_whole_days))
    t.add_row("upper bound (the tightest of max flow / LP / whole days)", f"{k.upper_bound:,} ({both})")
    t.add_row("gap to upper bound", f"{k.gap_to_bound:.1%}")
    t.add_row("share of the unrecorded reached", f"{k.share_of_unrecorded:.2%}")
    t.add_row("sites served / left out", f"{k.sites_served} / {k.sites_left_out}")
    t.add_row("visits", f"{k.visits}")
    t.add_row("travel", f"{k.travel_hours:,.1f} h, {k.travel_km:,.0f} km")
    t.add_row("solve", f"{p.solve.wall_s:.1f} s, {p.solve.parts} parts, {p.solve.status}")
    if k.idle_team_days is not None:
        why = Counter(d.reason.value for d in p.idle)
        t.add_row("idle team-days (working kit, no visit)", f"{k.idle_team_days}" + (f" ({', '.join(f'{n} {r}' for r, n in why.most_common())})" if why else ""))
    console.print(t)
    if p.solve.parts_out_of_time:
        console.print(
            f"[yellow]warning: {len(p.solve.parts_out_of_time)} parts ran out of time and kept only a first plan: "
            f"{', '.join(p.solve.parts_out_of_time)}. A longer --time-limit plans them better.[/yellow]"
        )
    empty = [code for code, g in k.by_regency.items() if g.expected_recordings == 0 and g.unrecorded > 0]
    if empty:
        console.print(f"[yellow]regencies with people to record and no visit: {', '.join(empty)} (see left_out reasons)[/yellow]")


from jemput.campaign_cmd import campaign as _campaign  # noqa: E402 - its own module: cli.py is at the size limit

app.command(name="campaign")(_campaign)

if __name__ == "__main__":
    app()
