"""The HTTP API's commands of the `jemput` CLI: `serve` (N web processes), `worker` (job runners that take
queued solves from PostgreSQL) and `keys` (API keys); jemput/cli.py registers them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from api.settings import Settings

console = Console()


def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    log_level: str = typer.Option("info", "--log-level"),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="web processes (uvicorn workers)"),
    runner: bool = typer.Option(True, "--runner/--no-runner",
                                help="run solves in this server; --no-runner leaves them to `jemput worker` (PostgreSQL)"),
) -> None:
    """Start the HTTP API (settings from DATABASE_URL, JEMPUT_DATA_DIR, JEMPUT_WORKERS, ...; see README)."""
    from api.server import serve as run

    api_settings()  # a bad variable stops here with its name, not in a traceback inside uvicorn
    try:
        run(host, port, log_level, workers, runner)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def worker(
    jobs: int = typer.Option(0, "--jobs", min=0, max=256, help="solves at a time (0 = JEMPUT_WORKERS, default 1)"),
) -> None:
    """Run a job runner: take queued solves from the PostgreSQL database in DATABASE_URL until stopped
    (SIGTERM/Ctrl-C queues its running solves again; a runner that dies leaves them to another)."""
    import logging

    from api.server import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = api_settings()
    try:
        run_worker(settings.model_copy(update={"workers": jobs}) if jobs else settings)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def api_settings() -> Settings:
    """The API's settings from the environment, or exit 2 naming each bad variable."""
    from api.settings import Settings, SettingsError

    try:
        return Settings.from_env()
    except SettingsError as e:
        console.print(f"[red]{e}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


keys_app = typer.Typer(no_args_is_help=True, help="API keys of the HTTP API (stored hashed; shown once).")


@keys_app.command("create")
def keys_create(
    role: str = typer.Option(..., "--role", help="coordinator, dashboard or field"),
    team: str = typer.Option(None, "--team", help="the team a field key may read"),
    label: str = typer.Option("", "--label", help="who holds it"),
) -> None:
    """Create a key and print it once."""
    from api.server import add_key

    try:
        key_id, key = add_key(role, team, label, api_settings())
    except ValueError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from None
    console.print(f"key {key_id} ({role}{' ' + team if team else ''}): {key}", markup=False, highlight=False)


@keys_app.command("list")
def keys_list() -> None:
    """Keys by id, role, team and label (never the keys themselves)."""
    from api.server import list_keys

    for k in list_keys(api_settings()):
        console.print(f"{k.id}\t{k.role}\t{k.team_id or '-'}\t{'revoked' if k.revoked else 'active'}\t{k.label}",
                      markup=False, highlight=False)


@keys_app.command("revoke")
def keys_revoke(key_id: int = typer.Argument(...)) -> None:
    """Revoke a key by its id."""
    from api.server import revoke_key

    if not revoke_key(key_id, api_settings()):
        console.print(f"[red]no key {key_id}[/red]")
        raise typer.Exit(1)
    console.print(f"key {key_id} revoked")
