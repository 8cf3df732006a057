"""A fortnight of daily reports for the demo region, entered through the report services.

``oxyflow demo`` calls :func:`load` after the registry's demo: for every demo facility
and producer, the last 14 local days of reports up to today, entered by the demo user
who would enter them (the site's staff, else its coordinator by phone, else the
ministry) through the same path as every report: facility reports through
:func:`oxyflow.reporting.ingest.ingest_facility_reports` (what
:func:`~oxyflow.reporting.services.submit_facility_report` runs; a coordinator's
sitting arrives as one set), producer reports through
:func:`~oxyflow.reporting.services.submit_producer_report`. Validation, the stock
ledger, flags and autonomy all run as in real use.

Illustrative, like the registry's demo: every figure is an ESTIMATE drawn from a
generator seeded by the site and the day, so a day's report is the same on every load.

- Census: a COVID wave per facility, rising then levelling off over the fortnight;
  mostly low-flow patients, some on high-flow/NIV, a few ventilated within ICU beds.
- Use: the census at WHO ESFT flows (10 L/min low-flow, 30 L/min high-flow and
  ventilated) times a facility factor of 0.8-1.2; each report gives it as consumption.
  PSA plants and concentrators (in use in proportion to low-flow patients) cover part
  of it, cylinders a share, the LOX tank the rest. A facility whose tank cannot carry
  its beds leans on cylinders, then admits fewer oxygen patients.
- Stock: a tanker tops the tank up when the next morning's level would fall below
  40 % (or below a day's use above the safety level); a truck restocks cylinders below
  two days' use. Until shipments are recorded, a refill shows in the ledger as a count
  above the book balance: an adjustment flagged for review.
- Stories: two facilities whose delivery is late (under a day of autonomy), two that
  have not reported today, a correction, a consumption typed in kilograms that was
  meant in tonnes, and a producer's breakdown.

Idempotent: a site continues from its latest report; days already reported are never
sent again, and submission keys are derived from the site and the day.
"""

from __future__ import annotations

import itertools
import logging
import math
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from oxyflow.accounts.models import Profile, Role
from oxyflow.core import units
from oxyflow.core.demand import NM3_PER_DAY_PER_L_PER_MIN, WHO_ESFT, Census
from oxyflow.registry import models as reg
from oxyflow.registry.demo_data import FACILITIES, PRODUCERS, USERS
from oxyflow.reporting import ingest, services
from oxyflow.reporting.models import Channel, DowntimeCause, FacilityReport, ProducerReport
from oxyflow.reporting.models import PsaStatus as Psa

logger = logging.getLogger(__name__)

SEED: Final = 2021
DAYS: Final = 14
NM3_PER_KG: Final = units.to_magnitude(
    units.lox_mass_to_gas_volume(units.Quantity(1.0, "kg")), "Nm3"
)
KG_PER_L: Final = units.LOX_DENSITY_KG_PER_L

# Stock rules (ESTIMATES): a tank gives at most 18 % of itself a day (a refill every
# three to four days) and is topped up below 40 %; cylinders take 3-25 % of the use
# where there is a tank, and are restocked to a week's use.
TANK_DRAW_MAX: Final = 0.18
REFILL_BELOW: Final = 0.40
CYLINDER_SHARE: Final = (0.03, 0.25)
CYLINDER_STOCK_DAYS: Final = 7
# When a coordinator enters the reports phoned in (local time); the last sitting is
# after the 10:00 deadline, so its reports are late.
PHONE_SITTINGS: Final = (time(9), time(10), time(10, 40))

# The stories: site code, days before today, what happened.
LATE_DELIVERY: Final = {
    "DZ-EPH-AIN-TOUTA": "Tanker announced by the Aurès pole has not arrived; on reserve.",
    "VN-TTYT-HON-QUAN": "Cylinder truck from Thuận An delayed; last cylinders on the manifold.",
}
NOT_REPORTED_TODAY: Final = frozenset({"DZ-EPH-TKOUT", "VN-TTYT-BU-GIA-MAP"})
CORRECTION: Final = ("DZ-CHU-BATNA", 2)
UNIT_SLIP: Final = ("VN-BVDK-BP", 5)
BREAKDOWN: Final = ("DZ-LINDE-SKIKDA", 6, Decimal("9.5"))


@dataclass(frozen=True)
class HistorySummary:
    facility_reports: int
    producer_reports: int
    created: int

    def describe(self) -> str:
        return (
            f"Report history: {self.facility_reports} facility and {self.producer_reports} "
            f"producer reports, up to today ({self.created} new)."
        )


def load(*, now: datetime | None = None, seed: int = SEED) -> HistorySummary:
    """Submit the demo's reports of the last :data:`DAYS` days that are not in yet.

    ``now`` (aware; default the clock) sets "today" in each site's time zone and bounds
    the times of today's reports. Call after :func:`oxyflow.registry.demo.load`; a site
    that no demo user may report for is skipped. All or nothing: raises
    ``ReportRejected`` if a generated report breaks a rule, and nothing is saved.
    """
    now = now or timezone.now()
    profiles = list(
        Profile.objects.select_related("user", "region")
        .prefetch_related("facilities")
        .filter(user__username__in=[row[0] for row in USERS], user__is_active=True)
    )
    facilities = (
        reg.Facility.objects.active()
        .filter(code__in=[spec.code for spec in FACILITIES])
        .select_related("region", "manifold_cylinder_type")
        .prefetch_related("lox_tanks", "concentrators")
        .order_by("code")
    )
    producers = (
        reg.Producer.objects.active()
        .filter(code__in=[spec.code for spec in PRODUCERS])
        .select_related("region")
        .prefetch_related("capacities__product")
        .order_by("code")
    )
    with transaction.atomic(), _quiet_services():
        items = [item for f in facilities for item in _facility_items(f, profiles, now, seed)]
        created = _submit_facility_reports(items)
        created += sum(_load_producer(p, profiles, now, seed) for p in producers)
    return HistorySummary(
        FacilityReport.objects.filter(is_current=True, facility__in=facilities).count(),
        ProducerReport.objects.filter(is_current=True, producer__in=producers).count(),
        created,
    )


@contextmanager
def _quiet_services() -> Iterator[None]:
    """Hold back the services' line per stored report (hundreds) while the demo loads."""
    log = logging.getLogger("oxyflow.reporting")
    level = log.level
    log.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        log.setLevel(level)


# ------------------------------------------------------------------------ who and when


@dataclass(frozen=True)
class _Reporter:
    user: Any
    channel: str
    name: str = ""  # who phoned, when entered on the site's behalf


def _reporter(site: reg.Site, profiles: Sequence[Profile], role: str) -> _Reporter | None:
    """Staff of the site, else its coordinator by phone, else its country's ministry."""
    for profile in profiles:
        if profile.role == Role.FACILITY_STAFF and site in profile.facilities.all():
            return _Reporter(profile.user, Channel.FORM)
        organisation = site.organisation_id
        if (
            profile.role == Role.PRODUCER_STAFF
            and organisation is not None
            and organisation == profile.organisation_id
        ):
            return _Reporter(profile.user, Channel.API)
    name = reg.Contact.objects.filter(site=site, role=role).values_list("name", flat=True)
    for wanted in (Role.COORDINATOR, Role.MINISTRY):
        for profile in profiles:
            if (
                profile.role == wanted
                and profile.region is not None
                and site.region.path.startswith(profile.region.path)
            ):
                return _Reporter(profile.user, Channel.PHONE, name.first() or "")
    return None


def _lox_unit(site: reg.Site) -> str:
    """The unit the site's country reads LOX in: litres of liquid or kilograms."""
    country = reg.Country.objects.get(region__code=site.region.path.split("/", 1)[0])
    return "L" if country.default_lox_unit == reg.LoxUnit.LITRE else "kg"


def _days(site: reg.Site, last: date | None, now: datetime) -> list[date]:
    """The local days to report: the last :data:`DAYS` up to today, after ``last``."""
    today = services.site_calendar(site).local_date(now)
    first = today - timedelta(days=DAYS - 1)
    if last is not None and last >= first:
        first = last + timedelta(days=1)
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    if site.code in NOT_REPORTED_TODAY and days and days[-1] == today:
        days.pop()
    return days


def _report_times(
    site: reg.Site, day: date, rng: random.Random, now: datetime, *, phone: bool
) -> tuple[datetime, datetime]:
    """When the figures were read (08:00-10:00 local) and when they reached the system.

    Staff send their own a few minutes after reading; a coordinator enters what was
    phoned in at the next sitting. Today's report is never later than ``now``.
    """
    calendar = services.site_calendar(site)
    as_of = datetime.combine(day, time(8), tzinfo=calendar.zone)
    as_of += timedelta(minutes=rng.randint(0, 120))
    received = as_of + timedelta(minutes=rng.randint(1, 15))
    if phone:
        sittings = (datetime.combine(day, t, tzinfo=calendar.zone) for t in PHONE_SITTINGS)
        received = next(t for t in sittings if t >= as_of + timedelta(minutes=10))
    if received > now:  # today, before the usual hour: read and sent just now
        received = now
        as_of = max(calendar.day_bounds(day)[0], min(as_of, now - timedelta(minutes=2)))
    return as_of.astimezone(UTC), received.astimezone(UTC)


def _submission(
    reporter: _Reporter, site: reg.Site, day: date, received: datetime, *, reason: str = ""
) -> services.Submission:
    return services.Submission(
        user=reporter.user,
        key=f"demo:{site.code}:{day.isoformat()}" + (":correction" if reason else ""),
        channel=reporter.channel,
        reported_by_name=reporter.name,
        correction_reason=reason,
        now=received,
    )


# --------------------------------------------------------------------------- stock paths


def _stock_path(
    draws: Sequence[float],
    start: float,
    *,
    fill: Sequence[float],
    reorder: Sequence[float],
    timing: Sequence[float],
    target: float | None = None,
    whole: bool = False,
) -> tuple[list[float], list[float]]:
    """Stock at each report, and what arrived since the report before.

    ``draws[i]`` is used between reports ``i - 1`` and ``i`` (``draws[0]`` is unused). A
    delivery is sent when the stock after the next interval would fall below
    ``reorder[i]``; it tops the stock up to ``fill[i]`` at ``timing[i]`` (0-1) of the
    interval. With ``target``, the last deliveries are held back (a late delivery) and
    the stock ends near ``target``. ``whole``: counted in whole units (cylinders).
    """
    n = len(draws)
    before = [d * t for d, t in zip(draws, timing, strict=True)]
    if whole:
        before = [float(round(b)) for b in before]
    forced, forced_level = n, 0.0
    if target is not None:  # the latest delivery that can still end at the target
        for m in range(1, n):
            need = target + sum(draws[m + 1 :]) + draws[m] - before[m]
            if need <= fill[m]:
                forced, forced_level = m, need
                break
    levels, delivered = [start], [0.0]
    for i in range(1, n):
        at_arrival = max(levels[-1] - before[i], 0.0)
        if i < forced:
            send, top = levels[-1] - draws[i] < reorder[i], fill[i]
        else:
            send, top = i == forced, forced_level
        got = max(top - at_arrival, 0.0) if send else 0.0
        levels.append(max(at_arrival + got - (draws[i] - before[i]), 0.0))
        delivered.append(got)
    return levels, delivered


# ---------------------------------------------------------------------------- facilities


@dataclass
class _Day:
    """One report's figures: read at ``as_of``; use and stock since the report before."""

    day: date
    as_of: datetime
    received: datetime
    census: Census
    beds: tuple[int, int, int] = (0, 0, 0)  # occupied: in all, oxygen, ICU
    concentrators: tuple[int, int, int] = (0, 0, 0)  # in use, idle, broken
    psa_nm3_per_h: float = 0.0
    generation_nm3_per_day: float = 0.0
    noise: float = 1.0  # the day's spread of use around the census
    used_nm3: float | None = None  # all oxygen used since the report before
    drawn_nm3: float | None = None  # of which drawn from tanks and cylinders
    lox_kg: float = 0.0
    full: int = 0
    empty: int = 0
    cylinders_used: int | None = None


def _census_nm3(census: Census) -> float:
    flow = (
        census.low_flow * WHO_ESFT.low_flow_l_per_min
        + census.high_flow * WHO_ESFT.high_flow_l_per_min
        + census.ventilated * WHO_ESFT.ventilated_l_per_min
    )
    return flow * NM3_PER_DAY_PER_L_PER_MIN


class _Traits:
    """What stays the same for a facility over the fortnight, drawn from ``rng``."""

    def __init__(self, facility: reg.Facility, rng: random.Random) -> None:
        self.facility = facility
        self.factor = rng.uniform(0.8, 1.2)
        self.peak = round(facility.beds_oxygen * rng.uniform(0.65, 0.9))
        self.base = rng.uniform(0.35, 0.5)  # the first day's share of the peak, about
        self.mid = rng.uniform(4, 7)  # the day the wave is halfway up
        self.width = rng.uniform(1.2, 2.2)
        self.high_share = rng.uniform(0.12, 0.2)
        self.ventilated_share = rng.uniform(0.05, 0.09) if facility.beds_icu else 0.0
        self.concentrator_share = rng.uniform(0.2, 0.35)
        self.other_occupancy = rng.uniform(0.4, 0.7)
        self.psa_nm3_per_h = float(facility.psa_output_nm3_per_h) * rng.uniform(0.85, 0.97)
        groups = list(facility.concentrators.all())
        self.concentrators = sum(g.count for g in groups)
        self.broken = round(self.concentrators * 0.04)
        flows = sum(float(g.flow_l_per_min) * g.count for g in groups)
        self.concentrator_l_per_min = flows / self.concentrators if self.concentrators else 0.0
        self.cylinder_share = 1.0
        tank_nm3 = sum(t.capacity_kg() for t in facility.lox_tanks.all()) * NM3_PER_KG
        if tank_nm3:
            # A tank that cannot carry the beds: more cylinders, then fewer admissions.
            limit = TANK_DRAW_MAX * tank_nm3
            share = 1 - limit / max(self.net_nm3(self.peak), 1.0)
            self.cylinder_share = min(max(share, CYLINDER_SHARE[0]), CYLINDER_SHARE[1])
            while self.peak > 1 and self.net_nm3(self.peak) * (1 - self.cylinder_share) > limit:
                self.peak -= 1

    def census(self, patients: int) -> Census:
        ventilated = min(self.facility.beds_icu, round(patients * self.ventilated_share))
        high = min(round(patients * self.high_share), patients - ventilated)
        return Census(patients - high - ventilated, high, ventilated)

    def in_use(self, census: Census) -> int:
        wanted = round(census.low_flow * self.concentrator_share)
        return min(self.concentrators - self.broken, wanted)

    def generation(self, census: Census) -> float:
        """On-site oxygen (Nm³/day): the PSA plant and the concentrators in use."""
        flow = self.in_use(census) * self.concentrator_l_per_min
        return self.psa_nm3_per_h * 24 + flow * NM3_PER_DAY_PER_L_PER_MIN

    def net_nm3(self, patients: int) -> float:
        """Use above on-site generation (Nm³/day) with ``patients`` on oxygen."""
        census = self.census(patients)
        return max(_census_nm3(census) * self.factor - self.generation(census), 0.0)

    def day(
        self,
        day: date,
        days_before_today: int,
        as_of: datetime,
        received: datetime,
        rng: random.Random,
    ) -> _Day:
        facility = self.facility
        x = DAYS - 1 - days_before_today
        wave = self.base + (1 - self.base) / (1 + math.exp(-(x - self.mid) / self.width))
        patients = round(self.peak * wave * rng.uniform(0.95, 1.05))
        census = self.census(min(max(patients, 0), facility.beds_oxygen))
        icu = min(facility.beds_icu, census.ventilated + round(census.high_flow * 0.4))
        others = round((facility.beds_total - facility.beds_oxygen) * self.other_occupancy)
        in_use = self.in_use(census)
        return _Day(
            day,
            as_of,
            received,
            census,
            beds=(min(facility.beds_total, max(census.total + others, icu)), census.total, icu),
            concentrators=(in_use, self.concentrators - self.broken - in_use, self.broken),
            psa_nm3_per_h=round(self.psa_nm3_per_h, 1),
            generation_nm3_per_day=self.generation(census),
            noise=rng.uniform(0.95, 1.05),
        )

    def from_report(self, report: FacilityReport) -> _Day:
        """The latest stored report, as the start of what follows."""
        psa = float(report.psa_output_nm3_per_h) if report.psa_status != Psa.NONE else 0.0
        flow = report.concentrators_in_use * self.concentrator_l_per_min
        cylinders = next(iter(report.cylinders.all()), None)
        return _Day(
            report.report_date,
            report.as_of,
            report.received_at,
            Census(report.patients_low_flow, report.patients_high_flow, report.patients_ventilated),
            generation_nm3_per_day=psa * 24 + flow * NM3_PER_DAY_PER_L_PER_MIN,
            lox_kg=sum(float(t.level_kg) for t in report.tanks.all()),
            full=cylinders.full if cylinders else 0,
            empty=cylinders.empty if cylinders else 0,
        )


def _plan_facility(
    traits: _Traits,
    days: list[date],
    last: FacilityReport | None,
    now: datetime,
    seed: int,
    *,
    phone: bool,
) -> list[_Day]:
    """The facility's days, the first being its latest report (or the first new day)."""
    facility = traits.facility
    today = services.site_calendar(facility).local_date(now)
    rows = [] if last is None else [traits.from_report(last)]
    for day in days:
        rng = random.Random(f"{seed}:{facility.code}:{day.isoformat()}")
        as_of, received = _report_times(facility, day, rng, now, phone=phone)
        rows.append(traits.day(day, (today - day).days, as_of, received, rng))
    tanks = list(facility.lox_tanks.all())
    capacity = sum(t.capacity_kg() for t in tanks)
    safety = sum(t.capacity_kg() * float(t.safety_level_pct) / 100 for t in tanks)
    content = (
        facility.manifold_cylinder_type.content_nm3() if facility.manifold_cylinder_type else 0
    )
    start = random.Random(f"{seed}:{facility.code}:start")
    timing = [start.uniform(0.25, 0.6) for _ in rows]
    draws = [0.0]  # Nm³ used above on-site generation since the report before
    for before, row in itertools.pairwise(rows):
        days_between = (row.as_of - before.as_of) / timedelta(days=1)
        row.used_nm3 = _census_nm3(before.census) * traits.factor * row.noise * days_between
        row.drawn_nm3 = max(row.used_nm3 - before.generation_nm3_per_day * days_between, 0.0)
        draws.append(row.drawn_nm3)
    late = facility.code in LATE_DELIVERY

    # Cylinders: a share of the use where a tank exists, all of it where none does.
    share = traits.cylinder_share if tanks else 1.0
    wanted = [float(round(d * share / content)) if content else 0.0 for d in draws]
    per_day = max(traits.net_nm3(traits.peak) * share / content, 1.0) if content else 1.0
    stock = max(round(per_day * CYLINDER_STOCK_DAYS), 20 if tanks else 30)
    if last is None:
        rows[0].full = round(stock * start.uniform(0.7, 1.0))
        rows[0].empty = start.randint(5, 15)
    full, got = _stock_path(
        wanted,
        rows[0].full,
        fill=[float(stock)] * len(rows),
        reorder=[max(8.0 if tanks else 10.0, 2 * w) for w in [*wanted[1:], wanted[-1]]],
        timing=timing,
        target=(3.0 if tanks else float(round(per_day * 0.45))) if late else None,
        whole=True,
    )
    for before, row, count, arrived in zip(rows, rows[1:], full[1:], got[1:], strict=False):
        row.full, row.cylinders_used = int(count), int(before.full + arrived - count)
        row.empty = before.empty + row.cylinders_used - min(before.empty, int(arrived))

    # LOX: the rest, drawn from the tanks in proportion to their size.
    if tanks:
        if last is None:
            rows[0].lox_kg = capacity * start.uniform(0.55, 0.85)
        lox = [
            max(d - (row.cylinders_used or 0) * content, 0.0) / NM3_PER_KG
            for d, row in zip(draws, rows, strict=True)
        ]
        levels, _arrived = _stock_path(
            lox,
            rows[0].lox_kg,
            fill=[capacity * start.uniform(0.88, 0.95) for _ in rows],
            reorder=[max(REFILL_BELOW * capacity, safety + 1.1 * d) for d in [*lox[1:], lox[-1]]],
            timing=timing,
            target=safety + 0.35 * lox[-1] if late else None,
        )
        for row, level in zip(rows, levels, strict=True):
            row.lox_kg = level
    return rows


def _facility_input(
    facility: reg.Facility, row: _Day, lox_unit: str, notes: str
) -> services.FacilityReportIn:
    """The report as the site types it: levels and consumption in its country's unit."""
    tanks = list(facility.lox_tanks.all())
    capacity = sum(t.capacity_kg() for t in tanks)
    levels = []
    for tank in tanks:
        kg = row.lox_kg * tank.capacity_kg() / capacity
        level = round(kg / KG_PER_L if lox_unit == "L" else kg)
        levels.append(services.TankLevelIn(level, lox_unit, tank.name))
    consumption, unit = None, ""
    # Consumption is what left the tanks and cylinders: on-site output counts apart.
    if row.drawn_nm3 is not None and tanks and lox_unit == "kg":
        consumption, unit = round(row.drawn_nm3 / NM3_PER_KG), "kg"  # as LOX, in Viet Nam
    elif row.drawn_nm3 is not None:
        consumption, unit = round(row.drawn_nm3), "m3"
    cylinder_type = facility.manifold_cylinder_type
    cylinders = []
    if cylinder_type is not None:
        cylinders = [
            services.CylindersIn(cylinder_type.code, row.full, row.empty, row.cylinders_used)
        ]
    psa = Psa.RUNNING if row.psa_nm3_per_h else Psa.NONE
    return services.FacilityReportIn(
        report_date=row.day,
        as_of=row.as_of,
        patients_low_flow=row.census.low_flow,
        patients_high_flow=row.census.high_flow,
        patients_ventilated=row.census.ventilated,
        beds_occupied=row.beds[0],
        beds_occupied_oxygen=row.beds[1],
        beds_occupied_icu=row.beds[2],
        lox_tanks=levels,
        cylinders=cylinders,
        concentrators_in_use=row.concentrators[0],
        concentrators_idle=row.concentrators[1],
        concentrators_broken=row.concentrators[2],
        psa_status=psa,
        psa_output=row.psa_nm3_per_h if psa == Psa.RUNNING else None,
        consumption=consumption,
        consumption_unit=unit,
        notes=notes,
    )


def _facility_items(
    facility: reg.Facility, profiles: Sequence[Profile], now: datetime, seed: int
) -> list[ingest.FacilityItem]:
    """The facility's reports not in yet, oldest first, each with its submission."""
    reporter = _reporter(facility, profiles, reg.ContactRole.OXYGEN_MANAGER)
    if reporter is None:
        logger.warning("no demo user may report for %s: no history", facility.code)
        return []
    last = (
        FacilityReport.objects.filter(facility=facility, is_current=True)
        .order_by("-report_date")
        .prefetch_related("tanks", "cylinders")
        .first()
    )
    days = _days(facility, last.report_date if last else None, now)
    if not days:
        return []
    traits = _Traits(facility, random.Random(f"{seed}:{facility.code}"))
    rows = _plan_facility(traits, days, last, now, seed, phone=reporter.channel == Channel.PHONE)
    lox_unit = _lox_unit(facility)
    today = services.site_calendar(facility).local_date(now)
    items = []
    for row in rows[0 if last is None else 1 :]:
        ago = (today - row.day).days
        notes = LATE_DELIVERY.get(facility.code, "") if ago == 0 else ""
        data = _facility_input(facility, row, lox_unit, notes)
        if (facility.code, ago) == UNIT_SLIP and data.consumption is not None:
            # Tonnes typed in a kilogram field: flagged by the service, left for review.
            data = replace(data, consumption=round(data.consumption / 1000, 2))
        submission = _submission(reporter, facility, row.day, row.received)
        if (facility.code, ago) == CORRECTION and data.lox_tanks:
            # The gauge misread by a fifth, corrected two hours later.
            read = data.lox_tanks[0]
            typed = replace(read, level=round(read.level * 0.8))
            wrong = replace(data, lox_tanks=[typed])
            items.append(ingest.FacilityItem(facility, wrong, submission))
            reason = (
                f"Gauge misread: the tank held {read.level:,} {read.unit}, "
                f"not {typed.level:,} {typed.unit}."
            )
            later = row.received + timedelta(hours=2)
            submission = _submission(reporter, facility, row.day, later, reason=reason)
        items.append(ingest.FacilityItem(facility, data, submission))
    return items


def _submit_facility_reports(items: list[ingest.FacilityItem]) -> int:
    """Store the reports in the order they arrive, one set per sender and arrival time.

    Raises ``ReportRejected`` or ``PermissionDenied`` as
    :func:`~oxyflow.reporting.services.submit_facility_report` does.
    """

    def arrival(item: ingest.FacilityItem) -> tuple[datetime, int]:
        assert item.submission.now is not None
        return item.submission.now, item.submission.user.pk

    created = 0
    for (received, _user), group in itertools.groupby(sorted(items, key=arrival), key=arrival):
        batch = list(group)
        outcomes = ingest.ingest_facility_reports(batch, now=received)
        for item, outcome in zip(batch, outcomes, strict=True):
            if outcome.forbidden:
                raise PermissionDenied(f"{item.submission.user} may not report for {item.facility}")
            if outcome.errors:
                raise services.ReportRejected(outcome.errors)
            created += outcome.created
    return created


# ----------------------------------------------------------------------------- producers


def _load_producer(
    producer: reg.Producer, profiles: Sequence[Profile], now: datetime, seed: int
) -> int:
    """Submit the producer's reports not in yet: output near capacity, most of it sent."""
    reporter = _reporter(producer, profiles, reg.ContactRole.DISPATCHER)
    if reporter is None:
        logger.warning("no demo user may report for %s: no history", producer.code)
        return 0
    last = (
        ProducerReport.objects.filter(producer=producer, is_current=True)
        .order_by("-report_date")
        .prefetch_related("lines__product")
        .first()
    )
    days = _days(producer, last.report_date if last else None, now)
    lox_unit = _lox_unit(producer)
    today = services.site_calendar(producer).local_date(now)
    start = random.Random(f"{seed}:{producer.code}:start")
    capacities = {c.product.code: c for c in producer.capacities.all()}
    stock: dict[str, float] = {}
    for code, capacity in capacities.items():
        if capacity.product.kind == reg.ProductKind.LOX:
            storage = float(producer.lox_storage_kg or 0)
        else:
            storage = float(producer.cylinder_storage_count)
        per_day = float(capacity.capacity_per_day)
        stock[code] = storage * start.uniform(0.3, 0.5) or per_day * start.uniform(0.6, 1.2)
    if last is not None:
        stock.update({line.product.code: float(line.stock) for line in last.lines.all()})
    created = 0
    for day in days:
        rng = random.Random(f"{seed}:{producer.code}:{day.isoformat()}")
        phone = reporter.channel == Channel.PHONE
        as_of, received = _report_times(producer, day, rng, now, phone=phone)
        down = BREAKDOWN[2] if (producer.code, (today - day).days) == BREAKDOWN[:2] else 0
        lines = []
        for code, capacity in capacities.items():
            per_day = float(capacity.capacity_per_day)
            produced = per_day * rng.uniform(0.88, 0.97) * (1 - float(down) / 24)
            # Most of the day's output leaves the plant; never all, never more than held.
            sent = min(produced * rng.uniform(0.9, 1.04), stock[code] + produced / 2)
            stock[code] += produced - sent
            available = stock[code] / 2 + per_day * rng.uniform(0.55, 0.75)
            figures = (produced, stock[code], available)
            if capacity.product.unit_of_issue == reg.UnitOfIssue.KG and lox_unit == "L":
                lines.append(
                    services.ProductLineIn(code, *(round(v / KG_PER_L) for v in figures), unit="L")
                )
            else:
                lines.append(services.ProductLineIn(code, *(round(v) for v in figures)))
        data = services.ProducerReportIn(
            report_date=day,
            as_of=as_of,
            lines=lines,
            downtime_hours=down,
            downtime_cause=DowntimeCause.BREAKDOWN if down else DowntimeCause.NONE,
            notes="Cold-box fault; restarted in the afternoon." if down else "",
        )
        submission = _submission(reporter, producer, day, received)
        outcome = services.submit_producer_report(
            producer=producer, data=data, submission=submission
        )
        created += outcome.created
    return created
