"""The console's campaigns (issue 19): the form on a scenario, a campaign followed while it runs and
then its decisions, regencies and downloads, in Bahasa Indonesia or English, names escaped."""

from __future__ import annotations

import re
import time

import pytest

from tests.console.conftest import HOSTILE_SITE, HOSTILE_TEAM, console_headers


def _campaign_id(html: str) -> str:
    return re.search(r'data-campaign="([0-9a-f]{32})"', html).group(1)


@pytest.mark.slow
def test_a_campaign_starts_from_the_scenario_and_shows_its_decisions(planned):
    c, sid = planned.client, planned.scenario_id
    page = c.get(f"/console/f/scenarios/{sid}", headers=console_headers("coordinator")).text
    assert 'id="campaign-form"' in page and 'name="deadline"' in page and "Mulai kampanye" in page
    assert 'id="campaign-form"' not in c.get(f"/console/f/scenarios/{sid}", headers=console_headers("dashboard")).text
    form = {"scenario_id": sid, "deadline": "2026-11-30", "time_limit_s": "2", "confirm": "1"}
    assert c.post("/console/f/campaigns", data=form, headers=console_headers("dashboard")).status_code == 403
    r = c.post("/console/f/campaigns", data=form, headers=console_headers("coordinator"))
    assert r.status_code == 200, r.text
    cid = _campaign_id(r.text)
    end = time.monotonic() + 180
    while True:
        html = c.get(f"/console/f/campaigns/{cid}", headers=console_headers("dashboard")).text
        if "s-done" in html or "s-failed" in html:
            break
        assert 'hx-trigger="every 2s"' in html and time.monotonic() < end
        time.sleep(0.5)
    assert "s-done" in html, html
    assert 'id="campaign-decisions"' in html and 'id="campaign-regencies"' in html and "Keputusan terbaik" in html
    assert f"/v1/campaigns/{cid}/decisions.csv" in html and f"/v1/campaigns/{cid}/map?lang=id" in html
    for raw in (HOSTILE_TEAM, HOSTILE_SITE):
        assert raw not in html
    en = c.get(f"/console/f/campaigns/{cid}", headers=console_headers("dashboard", "en")).text
    assert "Top decisions" in en and "Add a team" in en and "Tambah satu tim" not in en
    assert cid in c.get(f"/console/f/scenarios/{sid}", headers=console_headers("dashboard")).text  # listed on its scenario
    assert c.get(f"/console/f/campaigns/{planned.plan_id}", headers=console_headers("dashboard")).status_code == 404


def test_a_bad_campaign_form_says_which_field(planned):
    c, sid = planned.client, planned.scenario_id
    r = c.post("/console/f/campaigns", data={"scenario_id": sid, "deadline": "soon"}, headers=console_headers("coordinator"))
    assert r.status_code == 422 and "deadline" in r.text
    r = c.post("/console/f/campaigns", data={"scenario_id": sid, "deadline": "2026-01-01"}, headers=console_headers("coordinator"))
    assert r.status_code == 422 and "before the scenario" in r.text
