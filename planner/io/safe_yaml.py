"""Reading a scenario file's YAML with bounded work: no aliases, no implicit dates, a size cap.

PyYAML's `safe_load` expands aliases in full (a few hundred bytes can make gigabytes: "billion
laughs") and turns `2026-02-30` into a crash inside its date constructor. A scenario file needs
neither: aliases are refused with their line, and dates stay text for the loader to parse and report.
"""

from __future__ import annotations

import yaml

from planner import units


class YamlProblem(ValueError):
    """The text is not a scenario file jemput reads; the message says why, with line and column."""


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases and without the implicit timestamp type (dates stay strings)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML's stub leaves it untyped
            mark = event.start_mark
            raise YamlProblem(
                f"aliases (*{event.anchor}) are not allowed in a scenario file; write the value out "
                f"(line {mark.line + 1}, column {mark.column + 1})"
            )
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> object:
    """Parse YAML text bounded in size and work; raise YamlProblem (or yaml.YAMLError) when it is not valid."""
    if len(text) > units.MAX_SCENARIO_FILE_BYTES:
        raise YamlProblem(
            f"the scenario file is {len(text):,} characters; at most {units.MAX_SCENARIO_FILE_BYTES:,} "
            "(the tables belong in their own files)"
        )
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


def yaml_message(exc: yaml.YAMLError) -> str:
    """PyYAML's problem with its line and column, as one sentence."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if "'\\t'" in problem:
        problem += "; indent with spaces, not tabs"
    if mark is None:
        return problem
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
