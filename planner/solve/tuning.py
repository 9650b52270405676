"""Extra OR-Tools search parameters, as protobuf text merged into the routing search's parameters.

One place for settings chosen by measurement on the tuned half of the TOPTW split
(bench/tune_search.py, bench/results/tune_search*.md) and checked on real weeks
(bench/plan_quality.py). `PRODUCT` applies to every part; `TIE_BREAK` only when travel merely
breaks ties (no travel cost: the literature's orienteering objective, see
`planner.solve.routing.objective_weights`). Empty text changes nothing.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import text_format

PRODUCT = ""
TIE_BREAK = ""


def apply(params: Any, tie_break_travel: bool) -> None:
    """Merge the measured extra settings into `params` (RoutingSearchParameters) in place."""
    for text in (PRODUCT, TIE_BREAK if tie_break_travel else ""):
        if text:
            text_format.Merge(text, params)
