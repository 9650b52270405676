"""API settings from the environment: typed, bounded, errors naming the variable, `.env` read."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.settings import Settings, SettingsError
from jemput.cli import app

VARIABLES = ("JEMPUT_DATA_DIR", "DATABASE_URL", "JEMPUT_WORKERS", "JEMPUT_SOLVE_WORKERS", "JEMPUT_MAX_UPLOAD_MB",
             "JEMPUT_MAX_SITES", "JEMPUT_BOOTSTRAP_KEYS", "DASK_SCHEDULER")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    s = Settings.from_env()
    assert (s.workers, s.solve_workers, s.max_sites, s.max_upload_bytes) == (1, 1, 20_000, 25 * 1024 * 1024)
    assert s.url.startswith("sqlite:///") and s.url.endswith("jemput-data/jemput.db")


def test_values_are_read_and_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/jemput")
    monkeypatch.setenv("JEMPUT_WORKERS", "3")
    monkeypatch.setenv("JEMPUT_MAX_UPLOAD_MB", "50")
    monkeypatch.setenv("JEMPUT_BOOTSTRAP_KEYS", "coordinator=k1-0123456789abcdefghijklmn,field:T1=k2-0123456789abcdefghijklmn")
    monkeypatch.setenv("JEMPUT_PUBLIC_URL", "https://jemput.example.go.id:8443/")
    s = Settings.from_env()
    assert s.url == "postgresql+psycopg://u@db/jemput" and s.public_url == "https://jemput.example.go.id:8443"
    assert s.workers == 3 and s.max_upload_bytes == 50 * 1024 * 1024
    assert s.bootstrap_keys == {"k1-0123456789abcdefghijklmn": ("coordinator", None), "k2-0123456789abcdefghijklmn": ("field", "T1")}


@pytest.mark.parametrize(
    ("name", "value"),
    [("JEMPUT_WORKERS", "two"), ("JEMPUT_MAX_UPLOAD_MB", "-5"), ("JEMPUT_WORKERS", "0"),
     ("JEMPUT_MAX_SITES", "1e9"), ("JEMPUT_BOOTSTRAP_KEYS", "coordinator"), ("JEMPUT_BOOTSTRAP_KEYS", "coordinator=short"),
     ("JEMPUT_TIME_ZONE", "Mars/Olympus"), ("DASK_SCHEDULER", "udp:/nowhere"), ("JEMPUT_PUBLIC_URL", "ftp://jemput.example"),
     ("JEMPUT_PUBLIC_URL", "https://jemput.example/sub"), ("JEMPUT_PUBLIC_URL", "https://jemput.example:99999")],
)
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        Settings.from_env()
    assert f"{name}:" in str(caught.value)
    assert value.split("=")[0] in str(caught.value)


def test_every_bad_variable_is_listed_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JEMPUT_WORKERS", "two")
    monkeypatch.setenv("JEMPUT_MAX_UPLOAD_MB", "-5")
    message = str(pytest.raises(SettingsError, Settings.from_env).value)
    assert "JEMPUT_WORKERS" in message and "JEMPUT_MAX_UPLOAD_MB" in message


def test_dot_env_is_read_and_the_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("JEMPUT_WORKERS=4\nJEMPUT_MAX_SITES=500\n")
    monkeypatch.setenv("JEMPUT_MAX_SITES", "600")
    s = Settings.from_env()
    assert (s.workers, s.max_sites) == (4, 600)


def test_settings_are_frozen() -> None:
    s = Settings.from_env()
    with pytest.raises(ValueError):
        s.workers = 5  # type: ignore[misc]


@pytest.mark.parametrize("command", [["serve"], ["keys", "list"]])
def test_cli_stops_with_the_variable_named(monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    monkeypatch.setenv("JEMPUT_WORKERS", "two")
    r = CliRunner().invoke(app, command)
    assert r.exit_code == 2
    assert "JEMPUT_WORKERS" in r.output and "'two'" in r.output
