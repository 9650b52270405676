"""What-if decisions a coordinator can take for the rest of the campaign, applied to each week's scenario.

Each action's `apply(scenario, week)` is called on every week's scenario before it is planned (week 0
first); changes made in week 0 carry on through the roll, and an action that ends (a team added for
N weeks) undoes itself in week N. Assumptions: `planner.campaign.assumptions`.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass

from planner.model import Kit, KitStatus, Scenario, Team

LENT_KIT_PREFIX = "KEC-"
ADDED_TEAM_PREFIX = "TAMBAH-"


@dataclass(frozen=True)
class Action(ABC):
    """One decision. `kind` names it in files; `regencies` are those whose counts it can change."""

    @property
    @abstractmethod
    def kind(self) -> str: ...

    @property
    @abstractmethod
    def key(self) -> str:
        """A short unique id, e.g. 'repair_first:T1502-1-K2'."""

    @property
    @abstractmethod
    def regencies(self) -> frozenset[str]: ...

    @abstractmethod
    def apply(self, scenario: Scenario, week: int) -> Scenario: ...

    @abstractmethod
    def describe(self, lang: str = "id", names: dict[str, str] | None = None) -> str:
        """One line a coordinator reads (Bahasa Indonesia or English); `names` gives regency codes a name."""

    @property
    def provincial(self) -> bool:
        """Whether a provincial team is involved (its effect is not confined to regencies)."""
        return not all(self.regencies)


def _replace_team(scenario: Scenario, team_id: str, **update: object) -> Scenario:
    teams = tuple(t.model_copy(update=update) if t.id == team_id else t for t in scenario.teams)
    return scenario.model_copy(update={"teams": teams})


def _team(scenario: Scenario, team_id: str) -> Team:
    return scenario.team_by_id()[team_id]


@dataclass(frozen=True)
class RepairFirst(Action):
    """Send a broken (or late) kit for repair first: it works from `back` on."""

    kit_id: str
    team_id: str
    regency: str
    back: dt.date

    kind = "repair_first"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.kit_id}"

    @property
    def regencies(self) -> frozenset[str]:
        return frozenset({self.regency})

    def apply(self, scenario: Scenario, week: int) -> Scenario:
        if week != 0:
            return scenario
        team = _team(scenario, self.team_id)
        kits = tuple(
            k.model_copy(update={"status": KitStatus.in_repair, "repair_until": self.back - dt.timedelta(days=1)})
            if k.id == self.kit_id else k
            for k in team.kits
        )
        return _replace_team(scenario, self.team_id, kits=kits)

    def describe(self, lang: str = "id", names: dict[str, str] | None = None) -> str:
        when = self.back.isoformat()
        if lang == "en":
            return f"Repair kit {self.kit_id} (team {self.team_id}) first: back {when}"
        return f"Perbaiki kit {self.kit_id} (tim {self.team_id}) lebih dulu: kembali {when}"


@dataclass(frozen=True)
class LendKit(Action):
    """Lend a district office's working fixed kit to a team for the whole campaign."""

    district_code: str
    office_name: str
    team_id: str
    regency: str

    kind = "lend_kit"

    @property
    def kit_id(self) -> str:
        return f"{LENT_KIT_PREFIX}{self.district_code}"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.district_code}>{self.team_id}"

    @property
    def regencies(self) -> frozenset[str]:
        return frozenset({self.regency, self.district_code.rsplit(".", 1)[0]})

    def apply(self, scenario: Scenario, week: int) -> Scenario:
        if week != 0:
            return scenario
        team = _team(scenario, self.team_id)
        out = _replace_team(scenario, self.team_id, kits=team.kits + (Kit(id=self.kit_id),))
        offices = tuple(
            d.model_copy(update={"fixed_kit_working": False}) if d.district_code == self.district_code else d
            for d in out.district_offices
        )
        return out.model_copy(update={"district_offices": offices})

    def describe(self, lang: str = "id", names: dict[str, str] | None = None) -> str:
        office = self.office_name or self.district_code
        if lang == "en":
            return f"Lend the kit of {office} ({self.district_code}) to team {self.team_id}"
        return f"Pinjamkan kit {office} ({self.district_code}) ke tim {self.team_id}"


@dataclass(frozen=True)
class AddTeam(Action):
    """One more team for a regency, for the first `weeks` weeks, modelled on the regency's first team."""

    regency: str
    weeks: int
    template_id: str
    kits: int

    kind = "add_team"

    @property
    def team_id(self) -> str:
        return f"{ADDED_TEAM_PREFIX}{self.regency}"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.regency}x{self.weeks}"

    @property
    def regencies(self) -> frozenset[str]:
        return frozenset({self.regency})

    def apply(self, scenario: Scenario, week: int) -> Scenario:
        if week == self.weeks:
            return scenario.model_copy(update={"teams": tuple(t for t in scenario.teams if t.id != self.team_id)})
        if week != 0:
            return scenario
        template = _team(scenario, self.template_id)
        team = template.model_copy(update={
            "id": self.team_id,
            "name": f"Tim tambahan {self.regency}",
            "kits": tuple(Kit(id=f"{self.team_id}-K{i + 1}") for i in range(self.kits)),
            "off_dates": frozenset(),
        })
        return scenario.model_copy(update={"teams": scenario.teams + (team,)})

    def describe(self, lang: str = "id", names: dict[str, str] | None = None) -> str:
        where = (names or {}).get(self.regency) or self.regency
        if lang == "en":
            return f"Add a team ({self.kits} kits) to {where} for {self.weeks} week(s)"
        return f"Tambah satu tim ({self.kits} kit) di {where} selama {self.weeks} minggu"


@dataclass(frozen=True)
class MoveBase(Action):
    """Move a team's base to another place of its regency for the whole campaign."""

    team_id: str
    regency: str
    lat: float
    lon: float
    place: str
    district_code: str

    kind = "move_base"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.team_id}>{self.district_code}"

    @property
    def regencies(self) -> frozenset[str]:
        return frozenset({self.regency})

    def apply(self, scenario: Scenario, week: int) -> Scenario:
        if week != 0:
            return scenario
        return _replace_team(scenario, self.team_id, base_lat=self.lat, base_lon=self.lon, base_name=self.place, island="")

    def describe(self, lang: str = "id", names: dict[str, str] | None = None) -> str:
        if lang == "en":
            return f"Move team {self.team_id}'s base to {self.place} ({self.district_code})"
        return f"Pindahkan markas tim {self.team_id} ke {self.place} ({self.district_code})"
