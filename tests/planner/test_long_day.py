"""`Horizon.day_minutes`: a one-day scenario may use a finer time unit (a day longer than 1,440)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from planner.model import Horizon, Shift, TimeWindow, Weekday
from tests.planner.builders import START, tiny_scenario, tiny_sites, tiny_teams


def test_default_day_is_24_hours():
    assert Horizon(start=START).day_minutes == 1440


def test_longer_day_needs_a_one_day_horizon():
    with pytest.raises(ValidationError, match="one-day horizon"):
        Horizon(start=START, days=6, day_minutes=5000)
    assert Horizon(start=START, days=1, day_minutes=5000).day_minutes == 5000


def test_hours_and_shifts_beyond_the_day_are_rejected():
    late = TimeWindow(start=600, end=2000)
    site = tiny_sites()[0].model_copy(update={"hours": {Weekday.mon: (late,)}})
    with pytest.raises(ValidationError, match="end after the day"):
        tiny_scenario(horizon=Horizon(start=START, days=1), sites=(site,))
    team = tiny_teams()[0].model_copy(update={"shifts": {Weekday.mon: Shift(work=late)}})
    with pytest.raises(ValidationError, match="beyond the day"):
        tiny_scenario(horizon=Horizon(start=START, days=1), teams=(team,))
    ok = tiny_scenario(horizon=Horizon(start=START, days=1, day_minutes=2000), sites=(site,))
    assert ok.horizon.day_minutes == 2000
