"""Failures of a plan the user can act on, answered with a sentence and exit 1 instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

TOO_LARGE = ("the plan needed more memory than this process may use; plan fewer sites at once "
             "(one scenario per group of regencies) or run it where there is more memory")


@contextmanager
def memory_answered(console: Console) -> Iterator[None]:
    """A plan too large for the memory at hand: the compile's estimate (MemoryLimitError, before any
    allocation) or an allocation that failed all the same (MemoryError) ends with its reason, exit 1."""
    from planner.compile.instance import MemoryLimitError

    try:
        yield
    except MemoryLimitError as e:
        console.print(f"[red]{e}[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None
    except MemoryError:
        console.print(f"[red]{TOO_LARGE}[/red]", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None
