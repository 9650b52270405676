"""Units and defaults of jemput, in one place.

Every quantity in the model uses these units; every default a scenario may leave out is here.

| quantity                     | unit                               | default                                  |
|------------------------------|------------------------------------|------------------------------------------|
| clock times (hours, shifts)  | minutes after local midnight (int) | written "HH:MM" in files                 |
| durations (set-up, driving)  | minutes (int)                      |                                          |
| travel durations in matrices | minutes, rounded **up** to whole   | great-circle × circuity ÷ speed          |
| distances                    | kilometres                         |                                          |
| coordinates                  | WGS84 degrees (lat, lon)           | must lie in Indonesia's bounding box     |
| people                       | persons (int)                      |                                          |
| recording rate               | recordings per working kit per hour| 10                                       |
| set-up per visit             | minutes                            | 20                                       |
| turnout                      | share (0, 1] of the site's unrecorded who come to one visit | by site kind, below |
| priority                     | multiplier > 0 set by the coordinator | 1.0                                   |
| horizon                      | consecutive dates from `start`     | 6 days (Monday to Saturday)              |
| shift                        | per weekday                        | 08:00–16:00 Mon–Thu, 08:00–16:30 Fri, 08:00–12:00 Sat |
| midday break                 | per weekday                        | 12:00–13:00 (Mon–Thu)                    |
| Friday prayer                | Friday                             | 11:30–13:30 (covers the midday break)    |
| maximum driving per day      | minutes                            | 240                                      |
| nights away from base        | nights per week                    | 0 (teams return to base every night)     |
| ferry wait in travel times   | minutes: longest wait for the next departure when reaching the port 07:00–16:00 | |
"""

from __future__ import annotations

# --- Indonesia's bounding box (with a margin), used to reject impossible coordinates.
INDONESIA_LAT = (-11.5, 6.5)
INDONESIA_LON = (94.5, 141.5)

# --- Bounds on input, checked before anything large is allocated (issue 17).
MAX_SCENARIO_FILE_BYTES = 1_000_000  # the scenario file holds settings and file names, not tables
MAX_TABLE_BYTES = 64 * 1024 * 1024  # one CSV/XLSX/GeoJSON table
MAX_MATRIX_FILE_BYTES = 1024 * 1024 * 1024  # a travel-matrix CSV (a row per ordered pair: ~25 million rows)
MAX_TABLE_ROWS = 100_000  # data rows read from one table; more is reported, not read
MAX_SITES = 20_000  # sites in one scenario (travel matrices grow with the square)
MAX_SITE_PEOPLE = 1_000_000  # unrecorded people at one site: no village or facility comes near
LARGE_SITE_PEOPLE = 50_000  # above this a site's count is a warning (check the figure)
VISIT_DONE_FAR_ABOVE = 2.0  # a visit_done recording more than this × the site's estimate (+ 50) is a warning
SPEED_KMH_RANGE = (1.0, 150.0)  # travel speeds a scenario may set, per vehicle profile
CIRCUITY_RANGE = (1.0, 5.0)  # road km per great-circle km

# --- The day: 1,440 minutes. A one-day benchmark scenario may use a finer unit (a longer day).
DAY_MINUTES = 24 * 60
LONGEST_DAY_MINUTES = 1_000_000

# --- Run defaults: the CLI, the API and the batch planner start from these.
DEFAULT_TIME_LIMIT_S = 30.0  # seconds of search for a whole week (all parts)
DEFAULT_SEED = 0
DEFAULT_MOVE_PENALTY = 10.0  # weighted recordings a visit must gain to move in a re-plan

# --- Bounds of team and site fields: the model (planner.model) and the table loaders (planner.io) both use these.
MAX_RATE_PER_KIT_HOUR = 120.0
MAX_SETUP_MIN = 240
MAX_NIGHTS_OUT = 6
MAX_PRIORITY = 100.0
MAX_DRIVE_MIN = LONGEST_DAY_MINUTES  # and no longer than the horizon's day (Scenario checks that)

# --- Team defaults.
DEFAULT_RATE_PER_KIT_HOUR = 10.0
DEFAULT_SETUP_MIN = 20
DEFAULT_MAX_DRIVE_MIN = 240
DEFAULT_MAX_NIGHTS_OUT = 0
# Records made where there is no signal wait on the kit; none may wait longer than this many days.
DEFAULT_MAX_PENDING_DAYS = 2
DEFAULT_SHIFT = {
    "mon": "08:00-16:00",
    "tue": "08:00-16:00",
    "wed": "08:00-16:00",
    "thu": "08:00-16:00",
    "fri": "08:00-16:30",
    "sat": "08:00-12:00",
}
DEFAULT_MIDDAY_BREAK = "12:00-13:00"
DEFAULT_FRIDAY_PRAYER = "11:30-13:30"

# --- Site defaults: expected turnout of one visit, by kind. Captive people (prisons, hospitals,
# care homes) are nearly all reachable; villages depend on who hears of the visit.
DEFAULT_TURNOUT = {
    "village": 0.35,
    "prison": 0.9,
    "hospital": 0.6,
    "school": 0.8,
    "care_home": 0.8,
    "other": 0.5,
}
DEFAULT_SITE_HOURS = {
    "village": "08:00-16:00",
    "prison": "09:00-12:00",
    "hospital": "09:00-14:00",
    "school": "07:30-13:00",
    "care_home": "09:00-15:00",
    "other": "08:00-16:00",
}

# --- Value weights: people in institutions cannot come to an office, so they count more.
DEFAULT_KIND_WEIGHT = {
    "village": 1.0,
    "prison": 1.5,
    "hospital": 1.5,
    "school": 1.2,
    "care_home": 1.5,
    "other": 1.0,
}
# Sites in a district whose own fixed recording kit is out of service: people there have no
# alternative, so their value is multiplied by this.
DEFAULT_NO_FIXED_KIT_FACTOR = 1.5

# --- Repeat visits: a large site needs several visits; each later visit draws fewer people.
DEFAULT_MAX_VISITS_PER_SITE = 4
DEFAULT_MAX_PEOPLE_PER_VISIT = 100
DEFAULT_REPEAT_TURNOUT_DECAY = 0.6  # turnout of visit k is turnout × decay^(k-1) of what remains

# --- Objective: travel has a cost so that among equal coverage the shorter plan wins.
# Expressed in weighted people per hour of driving (small next to the value of a visit).
DEFAULT_TRAVEL_COST_PER_HOUR = 1.0

# --- Travel: great-circle distance × circuity ÷ speed, per vehicle profile.
DEFAULT_SPEED_KMH = {"car": 40.0, "motorbike": 35.0, "boat": 20.0}
DEFAULT_CIRCUITY = {"car": 1.4, "motorbike": 1.3, "boat": 1.5}

# Which vehicle profiles can reach a site, by its access mode.
ACCESS_PROFILES = {
    "road": frozenset({"car", "motorbike", "boat"}),
    "motorbike": frozenset({"motorbike"}),
    "river": frozenset({"boat"}),
}

# --- Requirements as skills (VROOM's rule: a site's required skills ⊆ the visiting team's skills).
# The old columns map onto skills: a site without electricity needs GENERATOR_SKILL; a site's
# clearance is a skill of that name; an access mode needs the skill below, which a vehicle offers.
GENERATOR_SKILL = "generator"
ACCESS_SKILL = {"road": None, "motorbike": "motorbike", "river": "boat"}
VEHICLE_SKILLS = {  # the access skills a vehicle offers: exactly the modes ACCESS_PROFILES admits it to
    vehicle: frozenset(s for mode, s in ACCESS_SKILL.items() if s and vehicle in ACCESS_PROFILES[mode])
    for vehicle in ("car", "motorbike", "boat")
}

# --- Islands and crossings. Car and motorbike teams stay on their land mass except over a crossing
# (bridge, ferry, boat); a boat team travels over water itself. Travel matrices have one time per
# leg, so a ferry's wait is the longest a team can wait for the next departure when it reaches the
# port at any minute of this window (clock minutes) on a day of the horizon: a plan that counts it
# holds whenever the team really arrives.
ISLAND_BOUND_PROFILES = frozenset({"car", "motorbike"})
CROSSING_ARRIVALS = (7 * 60, 16 * 60)  # 07:00-16:00

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Weekday names, Monday first, as people read them (rosters, maps): the one table of them.
DAY_NAMES = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
# A repeat visit is not planned when it would draw fewer people than this.
MIN_PEOPLE_REPEAT_VISIT = 5
