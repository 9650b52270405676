"""The validated domain model of one outreach week: sites, teams and their kits, district offices.

Everything downstream (compile, solver, validator, maps, API) reads a `Scenario`; nothing reads
input files directly. Units and defaults are in `planner.units`.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from planner import units

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Id = Annotated[str, Field(pattern=ID_PATTERN, description="letters, digits, '.', '_' or '-'")]
# Clock minutes of a day. A day is 24 h (1,440 min) unless a one-day horizon sets a longer
# `Horizon.day_minutes` (benchmark instances with a finer time unit); the Scenario checks the fit.
Minute = Annotated[int, Field(ge=0, le=units.LONGEST_DAY_MINUTES)]


class SiteKind(StrEnum):
    village = "village"
    prison = "prison"
    hospital = "hospital"
    school = "school"
    care_home = "care_home"
    other = "other"


class Access(StrEnum):
    road = "road"
    motorbike = "motorbike"  # motorbike-only tracks
    river = "river"


class VehicleProfile(StrEnum):
    car = "car"
    motorbike = "motorbike"
    boat = "boat"


class KitStatus(StrEnum):
    working = "working"
    broken = "broken"  # sent to Jakarta, no return date known
    in_repair = "in_repair"  # back after `repair_until`


class Weekday(StrEnum):
    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"

    @classmethod
    def of(cls, day: dt.date) -> Weekday:
        return cls(units.WEEKDAYS[day.weekday()])


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TimeWindow(_Frozen):
    """A clock interval [start, end) in minutes after midnight."""

    start: Minute
    end: Minute

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.end <= self.start:
            raise ValueError(f"window ends ({fmt_clock(self.end)}) before it starts ({fmt_clock(self.start)})")
        return self

    @classmethod
    def parse(cls, text: str) -> TimeWindow:
        """Parse "HH:MM-HH:MM"."""
        parts = str(text).strip().split("-")
        if len(parts) != 2:
            raise ValueError(f"expected HH:MM-HH:MM, got {text!r}")
        return cls(start=parse_clock(parts[0]), end=parse_clock(parts[1]))

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def __str__(self) -> str:
        return f"{fmt_clock(self.start)}-{fmt_clock(self.end)}"


def parse_clock(text: str) -> int:
    """Parse "HH:MM" (or "H.MM") into minutes after midnight."""
    t = str(text).strip().replace(".", ":")
    hh, sep, mm = t.partition(":")
    if not sep or not hh.isdigit() or not mm.isdigit() or len(mm) != 2:
        raise ValueError(f"expected a clock time HH:MM, got {text!r}")
    h, m = int(hh), int(mm)
    if h > 24 or m > 59 or (h == 24 and m):
        raise ValueError(f"not a clock time: {text!r}")
    return h * 60 + m


def fmt_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _no_overlap(windows: list[TimeWindow], what: str) -> list[TimeWindow]:
    ordered = sorted(windows, key=lambda w: w.start)
    for a, b in zip(ordered, ordered[1:]):
        if b.start < a.end:
            raise ValueError(f"{what} overlap: {a} and {b}")
    return ordered


class Site(_Frozen):
    """A place a team can visit: a village, prison, hospital, school, care home."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    kind: SiteKind
    lat: float = Field(ge=units.INDONESIA_LAT[0], le=units.INDONESIA_LAT[1])
    lon: float = Field(ge=units.INDONESIA_LON[0], le=units.INDONESIA_LON[1])
    province_code: str = ""
    regency_code: str = ""
    district_code: str = ""
    village_code: str = ""
    unrecorded: int = Field(ge=0, description="estimated people of voting age not yet recorded")
    turnout: float = Field(gt=0, le=1, description="share of the unrecorded who come to one visit")
    priority: float = Field(default=1.0, gt=0, le=units.MAX_PRIORITY)
    hours: dict[Weekday, tuple[TimeWindow, ...]] = Field(
        description="opening hours per weekday; a weekday that is absent is closed"
    )
    closed_dates: frozenset[dt.date] = frozenset()
    electricity: bool = True
    signal: bool = Field(default=True, description="mobile data at the site: records made here are sent at once")
    clearance: str | None = Field(default=None, description="clearance a team needs, e.g. 'prison'")
    access: Access = Access.road
    location_estimated: bool = False
    note: str = ""
    island: str = Field(default="", max_length=64, description="land mass the site stands on; empty = unknown")
    skills: frozenset[str] = Field(default=frozenset(), description="skills a visiting team needs, beyond the old columns")

    @property
    def required_skills(self) -> frozenset[str]:
        """Every skill a team needs here: `skills`, plus the old columns mapped (see units.GENERATOR_SKILL)."""
        out = set(self.skills)
        if not self.electricity:
            out.add(units.GENERATOR_SKILL)
        if self.clearance:
            out.add(self.clearance)
        access = units.ACCESS_SKILL[self.access.value]
        if access:
            out.add(access)
        return frozenset(out)

    def skill_kind(self, skill: str) -> str:
        """What a required skill stands for, for reasons and violation codes: generator, vehicle,
        clearance or skill (one from the `skills` column)."""
        if skill == units.GENERATOR_SKILL and not self.electricity:
            return "generator"
        if skill == units.ACCESS_SKILL[self.access.value]:
            return "vehicle"
        if skill == self.clearance:
            return "clearance"
        return "skill"

    @field_validator("lat", "lon")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @field_validator("hours")
    @classmethod
    def _hours_disjoint(cls, v: dict[Weekday, tuple[TimeWindow, ...]]) -> dict[Weekday, tuple[TimeWindow, ...]]:
        return {day: tuple(_no_overlap(list(ws), f"opening hours on {day}")) for day, ws in v.items()}

    def windows_on(self, day: dt.date) -> tuple[TimeWindow, ...]:
        """Opening windows on a date (none if closed that date or weekday)."""
        if day in self.closed_dates:
            return ()
        return self.hours.get(Weekday.of(day), ())


class Kit(_Frozen):
    """One portable recording kit (camera, fingerprint and iris scanner, signature pad)."""

    id: Id
    status: KitStatus = KitStatus.working
    repair_until: dt.date | None = Field(default=None, description="in repair up to and including this date")
    down_dates: frozenset[dt.date] = Field(
        default=frozenset(), description="dates the kit is reported out of order (field outcomes); it does not work then"
    )

    @model_validator(mode="after")
    def _repair_date(self) -> Kit:
        if self.status == KitStatus.in_repair and self.repair_until is None:
            raise ValueError("a kit in repair needs repair_until (the last day it is away)")
        return self

    def works_on(self, day: dt.date) -> bool:
        if day in self.down_dates:
            return False
        if self.status == KitStatus.working:
            return True
        if self.status == KitStatus.in_repair:
            return day > self.repair_until  # type: ignore[operator]
        return False


class Shift(_Frozen):
    """A team's working hours on one weekday, with the breaks (midday, Friday prayer) inside it."""

    work: TimeWindow
    breaks: tuple[TimeWindow, ...] = ()

    @model_validator(mode="after")
    def _breaks_inside(self) -> Shift:
        for b in self.breaks:
            if b.start < self.work.start or b.end > self.work.end:
                raise ValueError(f"break {b} lies outside the shift {self.work}")
        merged = _no_overlap(list(self.breaks), "breaks")
        object.__setattr__(self, "breaks", tuple(merged))
        return self


class Team(_Frozen):
    """A mobile recording team of one Dukcapil office, with its vehicle and kits."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    regency_code: str = Field(default="", description="owning regency office; empty = provincial team")
    base_name: str = ""
    base_lat: float = Field(ge=units.INDONESIA_LAT[0], le=units.INDONESIA_LAT[1])
    base_lon: float = Field(ge=units.INDONESIA_LON[0], le=units.INDONESIA_LON[1])
    vehicle: VehicleProfile = VehicleProfile.car
    kits: tuple[Kit, ...] = Field(min_length=1)
    rate_per_kit_hour: float = Field(default=units.DEFAULT_RATE_PER_KIT_HOUR, gt=0, le=units.MAX_RATE_PER_KIT_HOUR)
    setup_min: int = Field(default=units.DEFAULT_SETUP_MIN, ge=0, le=units.MAX_SETUP_MIN)
    generator: bool = False
    clearances: frozenset[str] = frozenset()
    max_drive_min: int = Field(default=units.DEFAULT_MAX_DRIVE_MIN, gt=0, le=units.MAX_DRIVE_MIN)
    max_nights_out: int = Field(default=units.DEFAULT_MAX_NIGHTS_OUT, ge=0, le=units.MAX_NIGHTS_OUT)
    shifts: dict[Weekday, Shift]
    off_dates: frozenset[dt.date] = Field(default=frozenset(), description="dates the team is unavailable (field outcomes)")
    island: str = Field(default="", max_length=64, description="land mass of the base; empty = that of the nearest site")
    skills: frozenset[str] = Field(default=frozenset(), description="skills the team offers, beyond the old columns")

    @property
    def offered_skills(self) -> frozenset[str]:
        """Every skill the team brings: `skills`, its clearances, a generator, its vehicle's access skills."""
        out = set(self.skills) | set(self.clearances) | units.VEHICLE_SKILLS[self.vehicle.value]
        if self.generator:
            out.add(units.GENERATOR_SKILL)
        return frozenset(out)

    def working_kits(self, day: dt.date) -> int:
        return sum(k.works_on(day) for k in self.kits)

    def shift_on(self, day: dt.date) -> Shift | None:
        if day in self.off_dates:
            return None
        return self.shifts.get(Weekday.of(day))


class DistrictOffice(_Frozen):
    """A district (kecamatan) office and whether its own fixed recording kit works."""

    district_code: str = Field(min_length=1)
    name: str = ""
    fixed_kit_working: bool = True


class Weights(_Frozen):
    """How the value of one recorded person is weighted."""

    kind: dict[SiteKind, float] = Field(default_factory=lambda: dict(units.DEFAULT_KIND_WEIGHT), validate_default=True)
    no_fixed_kit_factor: float = Field(default=units.DEFAULT_NO_FIXED_KIT_FACTOR, ge=1, le=10)
    travel_cost_per_hour: float = Field(default=units.DEFAULT_TRAVEL_COST_PER_HOUR, ge=0, le=1000)


class VisitRules(_Frozen):
    """How large sites are split into repeat visits with falling turnout."""

    max_visits_per_site: int = Field(default=units.DEFAULT_MAX_VISITS_PER_SITE, ge=1, le=12)
    max_people_per_visit: int = Field(default=units.DEFAULT_MAX_PEOPLE_PER_VISIT, ge=1, le=5000)
    repeat_turnout_decay: float = Field(default=units.DEFAULT_REPEAT_TURNOUT_DECAY, gt=0, le=1)
    one_visit_per_team_day: bool = Field(
        default=True,
        description="a team visits a site at most once a day: a repeat visit is another day (or another team)",
    )
    record_across_breaks: bool = Field(
        default=False,
        description="a visit may go on across the midday break or Friday prayer: recording pauses and resumes "
        "at the same site, so the visit lasts its recording time plus the break (it may not begin inside one)",
    )
    max_pending_days: int = Field(
        default=units.DEFAULT_MAX_PENDING_DAYS, ge=0, le=14,
        description="days a record made without signal may wait on the kit before the team reaches signal",
    )


class TravelSettings(_Frozen):
    """Where travel times come from: great-circle estimate, a routing server, or a file."""

    provider: str = Field(default="haversine", pattern="^(haversine|osrm|valhalla|file)$")
    speed_kmh: dict[VehicleProfile, float] = Field(default_factory=lambda: dict(units.DEFAULT_SPEED_KMH), validate_default=True)
    circuity: dict[VehicleProfile, float] = Field(default_factory=lambda: dict(units.DEFAULT_CIRCUITY), validate_default=True)
    url: str | None = None
    matrix_file: str | None = None

    @field_validator("speed_kmh", "circuity")
    @classmethod
    def _in_range(cls, values: dict[Any, float], info: ValidationInfo) -> dict[Any, float]:
        low, high = units.SPEED_KMH_RANGE if info.field_name == "speed_kmh" else units.CIRCUITY_RANGE
        bad = {str(getattr(k, "value", k)): v for k, v in values.items() if not low <= v <= high}
        if bad:
            shown = ", ".join(f"{k}: {v:g}" for k, v in bad.items())
            raise ValueError(f"{info.field_name} must be between {low:g} and {high:g} for every vehicle ({shown})")
        return values


class Horizon(_Frozen):
    start: dt.date
    days: int = Field(default=6, ge=1, le=14)
    day_minutes: int = Field(
        default=units.DAY_MINUTES, ge=units.DAY_MINUTES, le=units.LONGEST_DAY_MINUTES,
        description="length of a day in time units; above 1,440 only for a one-day horizon (finer units)",
    )

    @model_validator(mode="after")
    def _long_day_alone(self) -> Horizon:
        if self.day_minutes != units.DAY_MINUTES and self.days != 1:
            raise ValueError(f"day_minutes {self.day_minutes} ≠ {units.DAY_MINUTES} needs a one-day horizon")
        return self

    @property
    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]


class ClosedLink(_Frozen):
    """Direct travel between two places is impossible on some dates (a flooded road, a broken bridge).

    Places are site ids or `base:<team id>`; the closure holds in both directions. A team may still
    get from one to the other through a third place.
    """

    a: str = Field(min_length=1)
    b: str = Field(min_length=1)
    dates: frozenset[dt.date] = Field(min_length=1)

    def closes(self, x: str, y: str, day: dt.date) -> bool:
        return day in self.dates and {x, y} == {self.a, self.b}


class CrossingKind(StrEnum):
    bridge = "bridge"  # always open, no wait
    ferry = "ferry"  # scheduled vehicle ferry
    boat = "boat"  # local boat (people, motorbikes)


class Crossing(_Frozen):
    """A way over water between two points (port, jetty or bridge end) on two land masses.

    Used in both directions. A ferry or boat sails at `every_min` intervals within `service`, or at
    the clock times of `departures` per weekday (from either end); a bridge is always open.
    """

    id: Id
    kind: CrossingKind
    name: str = ""
    a_name: str = ""
    a_lat: float = Field(ge=units.INDONESIA_LAT[0], le=units.INDONESIA_LAT[1])
    a_lon: float = Field(ge=units.INDONESIA_LON[0], le=units.INDONESIA_LON[1])
    a_island: str = Field(default="", max_length=64)
    b_name: str = ""
    b_lat: float = Field(ge=units.INDONESIA_LAT[0], le=units.INDONESIA_LAT[1])
    b_lon: float = Field(ge=units.INDONESIA_LON[0], le=units.INDONESIA_LON[1])
    b_island: str = Field(default="", max_length=64)
    crossing_min: int = Field(ge=0, le=units.DAY_MINUTES * 3, description="minutes on board (or on the bridge)")
    length_km: float | None = Field(default=None, ge=0, le=2000)
    every_min: int | None = Field(default=None, gt=0, le=units.DAY_MINUTES * 7)
    service: TimeWindow | None = None
    departures: dict[Weekday, tuple[Minute, ...]] = Field(default_factory=dict)
    vehicles: frozenset[VehicleProfile] = frozenset({VehicleProfile.car, VehicleProfile.motorbike})
    cost_idr: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _sailings(self) -> Crossing:
        timed = self.every_min is not None or any(self.departures.values())
        if self.kind == CrossingKind.bridge and (timed or self.service is not None):
            raise ValueError("a bridge is always open: leave every_min, service and departures empty")
        if self.kind != CrossingKind.bridge and not timed:
            raise ValueError(f"a {self.kind.value} needs every_min or departures")
        if self.every_min is not None and any(self.departures.values()):
            raise ValueError("give every_min or departures, not both")
        return self


class Scenario(_Frozen):
    """One planning week for one province (or part of one)."""

    name: str = Field(min_length=1, max_length=200)
    horizon: Horizon
    sites: tuple[Site, ...]
    teams: tuple[Team, ...] = Field(min_length=1)
    district_offices: tuple[DistrictOffice, ...] = ()
    weights: Weights = Weights()
    visits: VisitRules = VisitRules()
    travel: TravelSettings = TravelSettings()
    source_dir: str | None = Field(default=None, description="folder the scenario file was read from")
    closed_links: tuple[ClosedLink, ...] = Field(default=(), description="travel links unusable on some dates")
    crossings: tuple[Crossing, ...] = Field(default=(), description="bridges, ferries and boats between islands")

    @property
    def has_islands(self) -> bool:
        """Whether land travel is bound to islands: some site or team names one, or crossings are given."""
        return bool(self.crossings) or any(s.island for s in self.sites) or any(t.island for t in self.teams)

    @model_validator(mode="after")
    def _unique_ids(self) -> Scenario:
        for what, ids in (("site", [s.id for s in self.sites]), ("team", [t.id for t in self.teams]),
                          ("crossing", [x.id for x in self.crossings])):
            seen: set[str] = set()
            dups = sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
            if dups:
                raise ValueError(f"duplicate {what} ids: {', '.join(dups[:10])}")
        return self

    @model_validator(mode="after")
    def _known_link_places(self) -> Scenario:
        places = {s.id for s in self.sites} | {f"base:{t.id}" for t in self.teams}
        unknown = sorted({p for link in self.closed_links for p in (link.a, link.b)} - places)
        if unknown:
            raise ValueError(f"closed links name unknown places: {', '.join(unknown[:10])}")
        return self

    def closed_pairs_on(self, day: dt.date) -> list[tuple[str, str]]:
        """Place-id pairs (both directions) whose direct travel is closed on `day`."""
        out = []
        for link in self.closed_links:
            if day in link.dates:
                out += [(link.a, link.b), (link.b, link.a)]
        return out

    @model_validator(mode="after")
    def _within_day(self) -> Scenario:
        """Opening hours, shifts and drive limits fit in one day (24 h unless a longer day is set)."""
        day = self.horizon.day_minutes
        for site in self.sites:
            late = [str(w) for ws in site.hours.values() for w in ws if w.end > day]
            if late:
                raise ValueError(f"site {site.id}: opening hours {', '.join(late)} end after the day ({day} min)")
        for team in self.teams:
            late = [str(s.work) for s in team.shifts.values() if s.work.end > day]
            if late or team.max_drive_min > day:
                raise ValueError(f"team {team.id}: shift or max_drive_min goes beyond the day ({day} min)")
        return self

    def site_by_id(self) -> dict[str, Site]:
        return {s.id: s for s in self.sites}

    def team_by_id(self) -> dict[str, Team]:
        return {t.id: t for t in self.teams}

    def districts_without_fixed_kit(self) -> frozenset[str]:
        return frozenset(d.district_code for d in self.district_offices if not d.fixed_kit_working)

    def site_weight(self, site: Site, no_fixed_kit: frozenset[str] | None = None) -> float:
        """Value of one person recorded at `site`: kind × priority × (no fixed kit factor).

        Pass `no_fixed_kit` (from `districts_without_fixed_kit`) when weighing many sites.
        """
        if no_fixed_kit is None:
            no_fixed_kit = self.districts_without_fixed_kit()
        w = self.weights.kind.get(site.kind, 1.0) * site.priority
        if site.district_code and site.district_code in no_fixed_kit:
            w *= self.weights.no_fixed_kit_factor
        return w
