"""What a campaign assumes, in one place (the CLI, the API, the HTML page and the docs state these).

Projections are expectations, not forecasts of what the field will report:

* Recordings: every planned visit records the people the plan expects (the turnout rule below);
  nothing is missed, no kit fails beyond what the scenario already says.
* Turnout: a site's n-th visit of the whole campaign draws turnout × decay^(n-1) of the people still
  unrecorded there, the same rule the week's plan uses for repeat visits within a week
  (`VisitRules.repeat_turnout_decay`), so a village visited this week draws fewer next week;
  never below `TURNOUT_FLOOR`.
* Kits: a kit in repair works again the day after its `repair_until`; a broken kit with no date
  stays broken to the deadline unless a decision sends it for repair first.
* Repair first: a kit sent for repair first is back `repair_days` days after the campaign starts
  (default `REPAIR_DAYS`: to Jakarta and back), counted from the first day of the first week.
* Lending: a district office's fixed kit lent to a team records for the team from the first week to
  the deadline; the office records nobody meanwhile (its walk-ins are not modelled) and its
  district's sites weigh as those of an office without a kit.
* A team added to a regency has `ADD_TEAM_KITS` working kits, the regency's first team's vehicle,
  shifts and rate, and its base at the regency office.
* A moved base holds from the first week to the deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner import units

REPAIR_DAYS = 14  # a kit sent to Jakarta now is back after this many days
ADD_TEAM_KITS = 2  # working kits of a team added to a regency
TURNOUT_FLOOR = 0.02  # a site's turnout never falls below this
MOVE_MIN_KM = 25.0  # a candidate base lies at least this far from every base of the regency's teams
WEEK_DAYS = 7


@dataclass(frozen=True)
class CampaignOptions:
    """How a campaign is planned: the deadline, per-week search, and how decisions are screened."""

    deadline: dt.date
    week_time_limit_s: float = 10.0  # search per week's plan (the whole province)
    seed: int = units.DEFAULT_SEED
    workers: int | None = None  # processes per week's plan; None = CPU count
    max_solutions: int | None = None  # a deterministic search limit per part (tests)
    confirm_top: int = 3  # the best decisions whose gain is measured by real plans, with the best of each kind (0: none)
    repair_days: int = REPAIR_DAYS
    add_team_kits: int = ADD_TEAM_KITS
