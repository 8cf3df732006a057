"""Benchmark: the national coordination dashboard on PostgreSQL (issue 6).

For each size in ``--facilities`` (default 500 and 5,000) it creates a throw-away
PostgreSQL database (``oxyflow_bench_<pid>_<N>``, dropped at the end), migrates it and
builds a synthetic country with the ORM: 20 provinces, N facilities (a 10,000 L LOX
tank and 50 L cylinders each), one producer per province, a ministry user. Then
``--days`` (90) days of history, written directly with ``bulk_create`` (the ingest path
stores ~670 reports/s, too slow for 450,000): each day every facility's current report
(a few are missing, about 1 % are corrections superseding a first version; today's come
in through the morning), its tank and cylinder lines, and each producer's production.
From that ledger the derived tables are built as the platform builds them, and timed:
``FacilityDay`` by :func:`oxyflow.dashboard.snapshots.rebuild_all`, ``FacilityStatus``
through the set path of :mod:`oxyflow.reporting.ingest` (checked against
``refresh_status`` on a sample), alerts by :func:`oxyflow.alerts.engine.evaluate_facilities`.

Measured, logged in as the ministry user (``django.test.Client``, DEBUG off): the
national page ``/dashboard/`` (30 and 90 days of trends), one province's page, and the
API's ``/api/v1/dashboard?days=90``, ``/dashboard/facilities`` and ``/dashboard/map``:
median and p95 of the server time over ``--runs`` requests after ``--warmups``, and the
queries of one more request (``CaptureQueriesContext``).

**Baseline**, in the same run: the national 90-day trend computed straight from the
reports, without ``FacilityDay``: census, demand and consumption summed from the
current reports, stock from their tank lines (kg x Nm³/kg) and cylinder lines (full x
content), three grouped queries. Its figures must equal the dashboard's, day by day
(the snapshots agree with the ledger). Each request's time is printed as a ratio to it.

Target (issue 6): every request under 300 ms (median) at the largest size, and the
same number of queries at every size. Exits 1 if missed or if the figures disagree, 2
if PostgreSQL cannot be reached. ``--profile`` (default on) then breaks the national
page at the largest size down by service function, slowest queries and cProfile.

Static files are served unhashed (the manifest storage needs ``collectstatic``, 18 s);
the manifest lookup this skips is a dictionary lookup per asset.

    .venv/bin/python -m bench.bench_dashboard [--facilities 500,5000] [--days 90]
        [--runs 15] [--warmups 2] [--no-profile] [--postgres URL]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import math
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench import synthetic
from bench.bench_reporting import _admin_connection, _process_cpu, _with_database, configure

TARGET_MS = 300.0
PROVINCES = synthetic.PROVINCES
TIME_ZONE = synthetic.TIME_ZONE
TANK_L = Decimal(10000)
REPO = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
# Facilities whose status is also computed one by one (refresh_status), to check the set
# path's answer and time the per-facility path.
STATUS_SAMPLE = 40


# ------------------------------------------------------------------------- database


@contextlib.contextmanager
def size_database(admin_url: str, facilities: int) -> Iterator[None]:
    """A fresh database for one size; Django's connection points at it meanwhile.

    The test runner switches databases the same way (``settings_dict["NAME"]``).
    """
    from django.db import connection

    from oxyflow.reporting.services import forget_cached_countries

    name = f"oxyflow_bench_{os.getpid()}_{facilities}"
    with _admin_connection(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    connection.close_pool()
    connection.settings_dict["NAME"] = name
    forget_cached_countries()
    try:
        yield
    finally:
        connection.close()
        connection.close_pool()  # before the database is dropped
        with _admin_connection(admin_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ------------------------------------------------------------------------- the country


@dataclass(frozen=True)
class Country:
    facility_ids: list[int]
    tank_ids: list[int]
    beds_oxygen: list[int]
    producer_ids: list[int]
    user_id: int
    province: str
    lox_id: int
    cylinder_type_id: int
    tank_capacity_kg: float


def build_country(facilities: int, seed: int) -> Country:
    """The registry: provinces, facilities with a tank, producers, a ministry user."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from oxyflow.accounts.models import Profile, Role
    from oxyflow.registry import models as reg

    rng = random.Random(seed)
    with transaction.atomic():
        country, provinces = synthetic.country_with_provinces()
        lox, b50 = synthetic.oxygen_catalogue()
        ids, beds_oxygen = [], []
        for i in range(facilities):
            beds = rng.randint(60, 600)
            # Multi-table inheritance (Site -> Facility): no bulk_create.
            facility = reg.Facility.objects.create(
                code=f"BENCH-{i:05d}",
                name=f"Hospital {i}",
                region=provinces[i % PROVINCES],
                facility_type=reg.FacilityType.HOSPITAL,
                latitude=Decimal(f"{rng.uniform(19, 37):.5f}"),
                longitude=Decimal(f"{rng.uniform(-8, 11):.5f}"),
                beds_total=beds,
                beds_oxygen=beds // 2,
                beds_icu=beds // 10,
            )
            ids.append(facility.pk)
            beds_oxygen.append(beds // 2)
        tanks = reg.LoxTank.objects.bulk_create(
            reg.LoxTank(facility_id=pk, name="Tank 1", capacity_liquid_l=TANK_L) for pk in ids
        )
        producers = [
            reg.Producer.objects.create(
                code=f"PROD-{p:02d}",
                name=f"Plant {p}",
                region=province,
                producer_type=reg.ProducerType.ASU,
                ownership=reg.Ownership.PRIVATE,
                latitude=Decimal(f"{rng.uniform(19, 37):.5f}"),
                longitude=Decimal(f"{rng.uniform(-8, 11):.5f}"),
            )
            for p, province in enumerate(provinces, 1)
        ]
        user = get_user_model().objects.create_user("bench-ministry", "bench@example.org")
        Profile.objects.create(user=user, role=Role.MINISTRY, region=country)
    return Country(
        facility_ids=ids,
        tank_ids=[t.pk for t in tanks],
        beds_oxygen=beds_oxygen,
        producer_ids=[p.pk for p in producers],
        user_id=user.pk,
        province=provinces[0].code,
        lox_id=lox.pk,
        cylinder_type_id=b50.pk,
        tank_capacity_kg=tanks[0].capacity_kg(),
    )


@lru_cache(maxsize=4096)
def _census_nm3(low: int, high: int, vent: int) -> Decimal:
    from oxyflow.core.demand import Census, census_demand

    nm3 = census_demand(Census(low, high, vent)).nm3_per_day
    return Decimal(f"{nm3:.3f}")


def write_history(country: Country, days: int, now: datetime) -> int:
    """``days`` days of reports up to today (local), written with bulk_create.

    Returns the number of current facility reports. Figures follow a slow epidemic
    wave; stock falls between deliveries (a sawtooth); 2 % of the facilities are nearly
    dry on the last day, so the critical band and alerts have members.
    """
    from django.db import transaction

    from oxyflow.reporting import models as rm

    zone = ZoneInfo(TIME_ZONE)
    today = now.astimezone(zone).date()
    stored = 0
    for d in range(days):
        day = today - timedelta(days=days - 1 - d)
        wave = 0.45 + 0.3 * math.sin(math.pi * d / max(days - 1, 1))
        first_versions: list[rm.FacilityReport] = []
        current: list[rm.FacilityReport] = []
        levels: list[tuple[float, int, int]] = []  # per current report: tank %, full, empty
        superseded_levels: list[tuple[float, int, int]] = []
        sizes = zip(country.facility_ids, country.beds_oxygen, strict=True)
        for i, (fid, beds) in enumerate(sizes):
            if (i * 7 + d * 13) % 37 == 0:
                continue  # no report that day
            morning = datetime(day.year, day.month, day.day, 7, tzinfo=zone)
            as_of = morning + timedelta(minutes=i % 120)
            received = as_of + timedelta(minutes=20 + i % 45)
            if received > now:
                continue  # today's report not in yet
            patients = max(1, round(beds * (wave + 0.1 * ((i % 9) - 4) / 4)))
            low, high, vent = patients * 80 // 100, patients * 15 // 100, patients * 5 // 100
            pct = 90.0 - ((d + i) % 10) * 7.0
            full = 40 - ((d + i) % 8) * 5
            if d == days - 1 and i % 50 == 0:
                pct, full = 3.0, 0
            census = _census_nm3(low, high, vent)
            fields = dict(
                facility_id=fid,
                report_date=day,
                as_of=as_of,
                channel=rm.Channel.API,
                patients_low_flow=low,
                patients_high_flow=high,
                patients_ventilated=vent,
                beds_occupied=min(patients + 20, beds * 2),
                beds_occupied_oxygen=min(patients, beds),
                concentrators_in_use=i % 3,
                consumption_derived_nm3=None if d == 0 else census * Decimal("0.95"),
                census_demand_nm3_per_day=census,
            )
            if (i + d) % 97 == 0:  # a correction: the first version superseded
                first = rm.FacilityReport(
                    **{**fields, "patients_low_flow": low + 7},
                    version=1,
                    is_current=False,
                    received_at=received,
                    first_received_at=received,
                    submission_key=f"bench-{day}-1",
                )
                first_versions.append(first)
                superseded_levels.append((pct + 5, full, 40 - full))
                report = rm.FacilityReport(
                    **fields,
                    version=2,
                    is_current=True,
                    supersedes=first,
                    received_at=received + timedelta(hours=3),
                    first_received_at=received,
                    submission_key=f"bench-{day}-2",
                    correction_reason="census recounted",
                )
            else:
                report = rm.FacilityReport(
                    **fields,
                    version=1,
                    is_current=True,
                    received_at=received,
                    first_received_at=received,
                    submission_key=f"bench-{day}-1",
                )
            current.append(report)
            levels.append((pct, full, 40 - full))
        with transaction.atomic():
            rm.FacilityReport.objects.bulk_create(first_versions, batch_size=2000)
            for report in current:
                if report.supersedes is not None:
                    report.supersedes_id = report.supersedes.pk
            rm.FacilityReport.objects.bulk_create(current, batch_size=2000)
            reports = first_versions + current
            lines = superseded_levels + levels
            tank_of = dict(zip(country.facility_ids, country.tank_ids, strict=True))
            rm.FacilityReportTank.objects.bulk_create(
                (
                    rm.FacilityReportTank(
                        report_id=r.pk,
                        tank_id=tank_of[r.facility_id],
                        level_value=Decimal(f"{pct:.3f}"),
                        level_unit="%",
                        level_kg=Decimal(f"{country.tank_capacity_kg * pct / 100:.3f}"),
                    )
                    for r, (pct, _f, _e) in zip(reports, lines, strict=True)
                ),
                batch_size=5000,
            )
            rm.FacilityReportCylinders.objects.bulk_create(
                (
                    rm.FacilityReportCylinders(
                        report_id=r.pk,
                        cylinder_type_id=country.cylinder_type_id,
                        full=full,
                        empty=empty,
                        used=None if d == 0 else 5,
                    )
                    for r, (_p, full, empty) in zip(reports, lines, strict=True)
                ),
                batch_size=5000,
            )
            producer_reports = rm.ProducerReport.objects.bulk_create(
                rm.ProducerReport(
                    producer_id=pid,
                    report_date=day,
                    as_of=datetime(day.year, day.month, day.day, 6, tzinfo=zone),
                    received_at=datetime(day.year, day.month, day.day, 6, 30, tzinfo=zone),
                    first_received_at=datetime(day.year, day.month, day.day, 6, 30, tzinfo=zone),
                    channel=rm.Channel.API,
                    submission_key=f"bench-{day}",
                )
                for pid in country.producer_ids
                if datetime(day.year, day.month, day.day, 6, 30, tzinfo=zone) <= now
            )
            rm.ProducerReportLine.objects.bulk_create(
                rm.ProducerReportLine(
                    report_id=r.pk,
                    product_id=country.lox_id,
                    unit="kg",
                    produced=Decimal(40000 + 500 * (n % 7)),
                    stock=Decimal(80000),
                    available_tomorrow=Decimal(30000),
                )
                for n, r in enumerate(producer_reports)
            )
        stored += len(current)
    return stored


def build_statuses(country: Country, now: datetime) -> tuple[float, float, int]:
    """Every facility's FacilityStatus through the ingest set path, in chunks of 500.

    Returns (seconds of the set path, seconds per facility of ``refresh_status`` on a
    sample, sample facilities whose answer differs). The sample's statuses are left as
    ``refresh_status`` wrote them.
    """
    from django.db import transaction

    from oxyflow.registry import models as reg
    from oxyflow.reporting import ingest, status
    from oxyflow.reporting.models import FacilityStatus

    started = time.perf_counter()
    catalogue = ingest._Catalogue.load()
    since = now.date() - timedelta(days=ingest.HISTORY_DAYS + 1)
    ids = country.facility_ids
    for start in range(0, len(ids), 500):
        chunk = set(ids[start : start + 500])
        with transaction.atomic():
            state = ingest._load_state(chunk, since, catalogue)
            ingest._refresh_statuses(state, chunk, now)
    set_seconds = time.perf_counter() - started

    sample = ids[:: max(1, len(ids) // STATUS_SAMPLE)][:STATUS_SAMPLE]
    by_set = {s.facility_id: s for s in FacilityStatus.objects.filter(facility_id__in=sample)}
    started = time.perf_counter()
    one_by_one = [
        status.refresh_status(facility, now=now)
        for facility in reg.Facility.objects.filter(pk__in=sample)
    ]
    per_facility = (time.perf_counter() - started) / len(sample)
    differ = 0
    for single in one_by_one:
        assert single is not None
        other = by_set.get(single.facility_id)
        if other is None or not all(
            math.isclose(getattr(single, f), getattr(other, f), rel_tol=1e-9, abs_tol=1e-9)
            for f in ("demand_nm3_per_day", "autonomy_hours", "usable_nm3", "calibration_factor")
        ):
            differ += 1
    return set_seconds, per_facility, differ


# ------------------------------------------------------------------------- baseline


def raw_trends(region_path: str, start: date, end: date) -> dict[date, dict[str, float]]:
    """Daily national sums straight from the current reports (no FacilityDay).

    Stock: tank lines (kg x Nm³/kg) plus cylinder lines (full x the type's content).
    """
    from django.db.models import Count, Sum
    from django.db.models.functions import Coalesce

    from oxyflow.dashboard.snapshots import nm3_per_kg
    from oxyflow.registry import models as reg
    from oxyflow.reporting.models import (
        FacilityReport,
        FacilityReportCylinders,
        FacilityReportTank,
    )

    facilities = reg.Facility.objects.active().filter(region__path__startswith=region_path)
    reports = FacilityReport.objects.filter(
        is_current=True, report_date__range=(start, end), facility__in=facilities
    )
    days: dict[date, dict[str, float]] = {}
    for row in (
        reports.values("report_date")
        .annotate(
            n=Count("pk"),
            low=Sum("patients_low_flow"),
            high=Sum("patients_high_flow"),
            vent=Sum("patients_ventilated"),
            demand=Sum("census_demand_nm3_per_day"),
            consumption=Sum(Coalesce("consumption_nm3", "consumption_derived_nm3")),
        )
        .order_by()
    ):
        days[row["report_date"]] = {
            "n": row["n"],
            "low": row["low"],
            "high": row["high"],
            "vent": row["vent"],
            "demand": float(row["demand"] or 0),
            "consumption": None if row["consumption"] is None else float(row["consumption"]),
            "stock": 0.0,
        }
    factor = nm3_per_kg()
    for day, kg in (
        FacilityReportTank.objects.filter(report__in=reports)
        .values_list("report__report_date")
        .annotate(kg=Sum("level_kg"))
        .order_by()
    ):
        days[day]["stock"] += float(kg) * factor
    contents = {t.pk: t.content_nm3() for t in reg.CylinderType.objects.all()}
    for day, type_id, full in (
        FacilityReportCylinders.objects.filter(report__in=reports)
        .values_list("report__report_date", "cylinder_type_id")
        .annotate(full=Sum("full"))
        .order_by()
    ):
        days[day]["stock"] += full * contents[type_id]
    return days


FIGURES = ("n", "low", "high", "vent", "demand", "consumption", "stock")


def disagreements(raw: dict[date, dict[str, float]], trend: list[Any]) -> list[str]:
    """Where the dashboard's trend differs from the figures summed from the reports."""
    found = []
    for t in trend:
        r = raw.get(t.day)
        mine = (
            t.facilities_reporting,
            t.patients_low_flow,
            t.patients_high_flow,
            t.patients_ventilated,
            t.demand_nm3,
            t.consumption_nm3,
            t.stock_nm3,
        )
        theirs: tuple[Any, ...] = (0, 0, 0, 0, 0.0, None, 0.0)
        if r is not None:
            theirs = tuple(r[k] for k in FIGURES)
        for name, a, b in zip(FIGURES, mine, theirs, strict=True):
            same = a == b if a is None or b is None else math.isclose(a, b, rel_tol=1e-9)
            if not same:
                found.append(f"{t.day} {name}: dashboard {a} != reports {b}")
    return found


# ------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Timing:
    label: str
    facilities: int
    seconds: list[float]
    queries: int
    # CPU seconds of this process per call (Django and Python), and of the PostgreSQL
    # backend serving it, per call on average (/proc counts in clock ticks): the
    # steadier figures on a machine shared with other work.
    cpu: list[float]
    db_cpu: float

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu) * 1000 if self.cpu else float("nan")

    @property
    def db_cpu_ms(self) -> float:
        return self.db_cpu * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def timed(label: str, facilities: int, call: Callable[[], Any], runs: int, warmups: int) -> Timing:
    """``call`` ``warmups`` times untimed, ``runs`` times timed, once counting queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmups):
        call()
    seconds, cpu = [], []
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    db_before = _process_cpu(backend)
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        call()
        seconds.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    db_cpu = (_process_cpu(backend) - db_before) / runs
    with CaptureQueriesContext(connection) as captured:
        call()
    return Timing(label, facilities, seconds, len(captured.captured_queries), cpu, db_cpu)


def requests(province: str) -> list[tuple[str, str]]:
    return [
        ("page /dashboard/ national, 30 days", "/dashboard/"),
        ("page /dashboard/ national, 90 days", "/dashboard/?days=90"),
        ("page /dashboard/ one province, 30 days", f"/dashboard/?region={province}"),
        ("API /api/v1/dashboard?days=90", "/api/v1/dashboard?days=90"),
        ("API /api/v1/dashboard/facilities", "/api/v1/dashboard/facilities"),
        ("API /api/v1/dashboard/map", "/api/v1/dashboard/map"),
    ]


def getter(client: Any, path: str) -> Callable[[], Any]:
    def get() -> Any:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.content[:300]!r}")
        return response

    return get


# ------------------------------------------------------------------------- profile


def profile_page(country: Country, now: datetime, runs: int) -> None:
    """The national page's parts one by one, its slowest queries, and cProfile."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from oxyflow.dashboard import services
    from oxyflow.reporting import calendar

    user = get_user_model().objects.get(pk=country.user_id)
    dash = services.resolve_scope(user, None)
    day = dash.today(now)
    n = len(country.facility_ids)
    parts: list[tuple[str, Callable[[], Any]]] = [
        ("kpis (whole)", lambda: services.kpis(dash, now, day=day)),
        (
            "  of which calendar.statuses (late/missing)",
            lambda: calendar.counts(
                calendar.statuses(services._reporting_sites(dash, day), day, now)
            ),
        ),
        ("trends, 30 days", lambda: services.trends(dash, day, 30)),
        ("trends, 90 days", lambda: services.trends(dash, day, 90)),
        ("facility_rows (one page of 50)", lambda: services.facility_rows(dash, now)),
        ("map_features", lambda: services.map_features(dash, now)),
    ]
    print(f"\nprofile of the national dashboard, {n} facilities: service functions")
    print(f"  {'function':<46}{'median ms':>10}{'CPU ms: app':>12}{'db':>6}{'queries':>8}")
    for label, call in parts:
        t = timed(label, n, call, max(3, runs // 3), 1)
        print(
            f"  {label:<46}{t.median_ms:>10.1f}{t.cpu_ms:>12.1f}{t.db_cpu_ms:>6.0f}{t.queries:>8}"
        )

    client = Client()
    client.force_login(user)
    get = getter(client, "/dashboard/?days=90")
    get()
    with CaptureQueriesContext(connection) as captured:
        get()
    slow = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:6]
    total = sum(float(q["time"]) for q in captured.captured_queries)
    print(
        f"  /dashboard/?days=90: {len(captured.captured_queries)} queries, "
        f"{total * 1000:.0f} ms in the database; slowest:"
    )
    for q in slow:
        sql = " ".join(q["sql"].split())
        print(f"  {float(q['time']) * 1000:>7.1f} ms  {sql[:150]}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        get()
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = [
        (cum / 5, f"{path.replace(str(REPO) + '/', '')}:{line}({name})")
        for (path, line, name), (_cc, _nc, _tt, cum, _callers) in stats.stats.items()  # type: ignore[attr-defined]
        if "/oxyflow/" in path and "/bench/" not in path
    ]
    print("  cProfile (wall, 5 requests): OxyFlow functions by cumulative time per request")
    for seconds, label in sorted(rows, reverse=True)[:14]:
        print(f"  {seconds * 1000:>7.1f} ms  {label[-90:]}")


# ------------------------------------------------------------------------- main


@dataclass
class SizeResult:
    facilities: int
    reports: int
    timings: list[Timing]
    baseline: Timing
    trends: Timing
    disagreements: list[str]


def run_size(args: argparse.Namespace, n: int, profile: bool) -> SizeResult:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from oxyflow.alerts import engine
    from oxyflow.dashboard import services, snapshots
    from oxyflow.dashboard.models import FacilityDay

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    t_migrate = time.perf_counter() - started
    started = time.perf_counter()
    country = build_country(n, args.seed)
    t_registry = time.perf_counter() - started
    now = timezone.now()
    started = time.perf_counter()
    reports = write_history(country, args.days, now)
    t_history = time.perf_counter() - started
    started = time.perf_counter()
    rebuilt = snapshots.rebuild_all()
    t_rebuild = time.perf_counter() - started
    t_set, t_single, differ = build_statuses(country, now)
    started = time.perf_counter()
    alerts = engine.evaluate_facilities(country.facility_ids, now=now)
    t_alerts = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert rebuilt == FacilityDay.objects.count() == reports
    print(
        f"\n{n} facilities x {args.days} days: {reports:,} current reports; migrate "
        f"{t_migrate:.1f} s, registry {t_registry:.1f} s, history (bulk_create) {t_history:.1f} s"
    )
    print(
        f"  derived from the ledger: FacilityDay rebuild_all {t_rebuild:.1f} s "
        f"({rebuilt:,} rows, {rebuilt / t_rebuild:,.0f}/s); FacilityStatus set path "
        f"{t_set:.1f} s ({t_set / n * 1000:.2f} ms per facility) vs refresh_status "
        f"{t_single * 1000:.1f} ms per facility (sample of {STATUS_SAMPLE}, "
        f"{'same answers' if not differ else f'{differ} DIFFER'}); alerts {t_alerts:.1f} s "
        f"({alerts.as_dict()})"
    )

    user = get_user_model().objects.get(pk=country.user_id)
    client = Client()
    client.force_login(user)
    timings = [
        timed(label, n, getter(client, path), args.runs, args.warmups)
        for label, path in requests(country.province)
    ]

    dash = services.resolve_scope(user, None)
    day = dash.today(now)
    start = day - timedelta(days=89)
    baseline = timed(
        "baseline: 90 days from raw reports",
        n,
        lambda: raw_trends(dash.path, start, day),
        args.runs,
        1,
    )
    trend = timed(
        "trends() 90 days, FacilityDay", n, lambda: services.trends(dash, day, 90), args.runs, 1
    )
    found = disagreements(raw_trends(dash.path, start, day), services.trends(dash, day, 90))
    if profile:
        profile_page(country, now, args.runs)
    return SizeResult(n, reports, timings, baseline, trend, found)


def report(results: list[SizeResult]) -> bool:
    """Print the table and the verdict; True if the target is met."""
    print(
        f"\n{'request':<42}{'N':>6}{'median ms':>11}{'p95 ms':>9}{'CPU ms: app':>12}{'db':>6}"
        f"{'queries':>9}{'÷ baseline':>12}"
    )
    for result in results:
        base = result.baseline.median_ms
        rows = [
            *result.timings,
            result.trends,
            result.baseline,
        ]
        for t in rows:
            print(
                f"{t.label:<42}{t.facilities:>6}{t.median_ms:>11.1f}{t.p95_ms:>9.1f}"
                f"{t.cpu_ms:>12.1f}{t.db_cpu_ms:>6.0f}{t.queries:>9}{t.median_ms / base:>12.2f}"
            )
    largest = max(results, key=lambda r: r.facilities)
    slow = [t for t in largest.timings if t.median_ms >= TARGET_MS]
    counts = {r.facilities: [t.queries for t in r.timings] for r in results}
    grows = len({tuple(c) for c in counts.values()}) > 1
    wrong = [d for r in results for d in r.disagreements]
    print(
        f"\nverdict: at {largest.facilities} facilities "
        + (
            "every request under " + f"{TARGET_MS:.0f} ms (median)"
            if not slow
            else "OVER " + f"{TARGET_MS:.0f} ms: " + ", ".join(t.label for t in slow)
        )
        + "; queries "
        + (
            "the same at " + " and ".join(str(n) for n in counts)
            if len(counts) > 1 and not grows
            else ("GROW with facilities" if grows else "(one size only: growth not checked)")
        )
        + "; dashboard trend "
        + ("equals the figures summed from the reports" if not wrong else "DISAGREES")
    )
    for line in wrong[:10]:
        print(f"  {line}")
    if largest.facilities < 5000:
        print("(the target is set for 5,000 facilities)")
    return not slow and not grows and not wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--facilities", default="500,5000", help="sizes to run, comma-separated (500,5000)"
    )
    parser.add_argument("--days", type=int, default=90, help="days of history")
    parser.add_argument("--runs", type=int, default=15, help="timed requests per row")
    parser.add_argument("--warmups", type=int, default=2, help="untimed requests first")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--no-profile", dest="profile", action="store_false", help="skip the profile"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("OXYFLOW_BENCH_POSTGRES", DEFAULT_POSTGRES),
        help="a PostgreSQL URL allowed to create databases",
    )
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(s) for s in args.facilities.split(",")})
    except ValueError:
        parser.error("--facilities: comma-separated whole numbers, e.g. 500,5000")
    if min(sizes) < PROVINCES or args.days < 1 or args.runs < 1:
        parser.error(f"at least {PROVINCES} facilities, a day and a run")
    try:
        _admin_connection(args.postgres).close()
    except Exception as exc:  # psycopg.OperationalError, or psycopg missing
        print(
            f"bench_dashboard needs PostgreSQL: cannot connect to {args.postgres} "
            f"({exc.__class__.__name__}: {str(exc).strip()}).\nStart PostgreSQL or pass "
            "--postgres postgres://user@host:port/postgres (a role that may create databases).",
            file=sys.stderr,
        )
        return 2

    data_dir = Path(tempfile.mkdtemp(prefix="oxyflow-bench-"))
    (data_dir / "static").mkdir()  # whitenoise warns when STATIC_ROOT is missing
    try:
        # Settings read the URL once; each size then points the connection at its own
        # database (size_database).
        configure(_with_database(args.postgres, "postgres"), data_dir)
        from django.test.utils import override_settings

        plain_static = {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        results = []
        load_start = os.getloadavg()[0]
        with override_settings(STORAGES=plain_static):
            for n in sizes:
                with size_database(args.postgres, n):
                    results.append(run_size(args, n, args.profile and n == sizes[-1]))
        met = report(results)
        print(f"load average (1 min) at start / end: {load_start:.1f} / {os.getloadavg()[0]:.1f}")
        return 0 if met else 1
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
