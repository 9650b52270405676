"""A decision's gain measured by planning it: the campaign rolled with the decision applied, less without.

A decision that touches only regency teams is measured on the scenario cut to its regencies
(`restrict`): regency parts are planned independently, so this is the same planning at a fraction
of the cost; both sides of the difference are planned alike, and the baseline of a set of regencies
is planned once. A decision about a provincial team is measured on the whole province against the
campaign's own baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.campaign.actions import Action
from planner.campaign.assumptions import CampaignOptions
from planner.campaign.weeks import CampaignRun, Progress, restrict, run_weeks
from planner.model import Scenario

MIN_RESTRICTED_LIMIT_S = 2.0


@dataclass
class Measurer:
    """Measures decisions' gains for one campaign, keeping the restricted baselines it planned."""

    scenario: Scenario
    options: CampaignOptions
    baseline: CampaignRun
    progress: Progress | None = None
    _bases: dict[frozenset[str], CampaignRun] = field(default_factory=dict)

    def _limit(self, sub: Scenario) -> float:
        share = len(sub.sites) / max(1, len(self.scenario.sites))
        return max(MIN_RESTRICTED_LIMIT_S, self.options.week_time_limit_s * share)

    def gain(self, action: Action) -> dict[str, int]:
        """Extra recordings to the deadline per regency code (negative where the decision loses)."""
        if action.provincial:
            base, scenario, limit = self.baseline, self.scenario, None
        else:
            scenario = restrict(self.scenario, action.regencies)
            limit = self._limit(scenario)
            if action.regencies not in self._bases:
                self._bases[action.regencies] = run_weeks(scenario, self.options, None, self.progress, limit)
            base = self._bases[action.regencies]
        with_action = run_weeks(scenario, self.options, action.apply, self.progress, limit)
        before, after = base.recorded_by_regency(), with_action.recorded_by_regency()
        return {code: sum(after[code]) - sum(before.get(code, [])) for code in after if sum(after[code]) != sum(before.get(code, []))}
