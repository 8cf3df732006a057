"""Benchmark: daily facility reports taken in through the API on PostgreSQL.

Creates a throw-away PostgreSQL database (``oxyflow_bench_<pid>``, dropped at the end),
migrates it and builds a synthetic registry with the ORM: one country (Algeria's
calendar), 20 provinces, N facilities each with a 10,000 L LOX tank, a 50 L cylinder type
with its product, LOX, and a ministry user with an API token. Every facility then
reports on four days running, each report new (its own day and key):

1. day 1 through the service in this process: opening balances, the history the later
   days build on (timed, for information);
2. day 2 through :func:`oxyflow.reporting.services.submit_facility_report` in this
   process, no HTTP: the single-process baseline;
3. day 3 as ``POST /api/v1/facilities/{code}/reports`` to ``oxyflow serve`` (gunicorn,
   ``--workers`` processes x ``--threads`` threads, DEBUG off, the database pool on)
   from ``--clients`` threads on keep-alive connections; every answer must be 201;
4. day 4 on ``--profile`` facilities, in this process: half through the service, half
   through the whole Django stack (``django.test.Client``: middleware, token,
   idempotency, schema, the view, the answer). Queries are counted
   (``CaptureQueriesContext``) and traced to the function that issued them, the main
   functions of the path are timed one by one (CPU and wall, each exclusive of the
   others), then cProfile runs on the rest.

Besides time and latency, each run reports CPU per report: of the app (this process, or
the server's workers), of the PostgreSQL backends serving it, and of the client threads
(Linux /proc). On a machine shared with other work, CPU per report is the steadier
figure, and it says how many busy cores the target needs.

Days 2 and 3 do the same work (a report with a day of history: consumption derived,
ledger posted, flags, autonomy refreshed), so HTTP / baseline is what the server gains
over one process, net of the HTTP layer. Exits 1 if the target is missed (300 reports/s,
issue 4) or a report failed, 2 if PostgreSQL cannot be reached.

    .venv/bin/python -m bench.bench_reporting [--facilities N] [--workers W] [--threads T]
        [--clients C] [--profile K] [--profile-clock cpu|wall] [--postgres URL]
        [--save-profiles DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import http.client
import importlib
import json
import os
import pstats
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from bench import synthetic

TARGET_PER_S = 300.0
COUNTRY_FACILITIES = 10_000
PROVINCES = synthetic.PROVINCES
TIME_ZONE = synthetic.TIME_ZONE
REPO = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
# Reports traced query by query (not profiled) before each profiled half.
TRACED_REPORTS = 20


# ------------------------------------------------------------------------- database


def _admin_connection(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def bench_database(admin_url: str) -> Iterator[str]:
    """A fresh database for this run, dropped (connections and all) afterwards."""
    name = f"oxyflow_bench_{os.getpid()}"
    with _admin_connection(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(admin_url, name)
    finally:
        with _admin_connection(admin_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def configure(database_url: str, data_dir: Path) -> None:
    """Production settings for this process and the server it starts (env inherited)."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="oxyflow.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        OXYFLOW_DATA_DIR=str(data_dir),
    )
    # One INFO line per stored report would flood the terminal; gunicorn's access log
    # stays on (to the server log file).
    os.environ.setdefault("OXYFLOW_LOG_LEVEL", "WARNING")
    import django

    django.setup()


# ------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Registry:
    codes: list[str]
    user_id: int
    token: str


def build_registry(facilities: int, seed: int) -> Registry:
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from oxyflow.accounts.models import ApiToken, Profile, Role
    from oxyflow.registry import models as reg

    rng = random.Random(seed)
    with transaction.atomic():
        country, provinces = synthetic.country_with_provinces()
        synthetic.oxygen_catalogue()
        codes = []
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
            codes.append(facility.code)
        reg.LoxTank.objects.bulk_create(
            reg.LoxTank(facility_id=pk, name="Tank 1", capacity_liquid_l=Decimal(10000))
            for pk in reg.Facility.objects.values_list("pk", flat=True)
        )
        user = get_user_model().objects.create_user("bench-ministry", "bench@example.org")
        Profile.objects.create(user=user, role=Role.MINISTRY, region=country)
        _token, raw = ApiToken.issue(user=user, name="bench")
    return Registry(codes, user.pk, raw)


def report_body(i: int, day: int, report_date: date) -> dict[str, Any]:
    """Facility ``i``'s report of ``day`` (0 = first): stock falls from day to day."""
    cylinders: dict[str, Any] = {"cylinder_type": "B50", "full": 40 - 5 * day, "empty": 5 * day}
    if day:
        cylinders["used"] = 5
    return {
        "report_date": report_date.isoformat(),
        "patients_low_flow": 30 + i % 20,
        "patients_high_flow": 2 + i % 5,
        "patients_ventilated": i % 4,
        "beds_occupied": 60 + i % 40,
        "lox_tanks": [{"level": 85 - 8 * day - i % 5, "unit": "%"}],
        "cylinders": [cylinders],
        "concentrators_in_use": i % 3,
    }


def service_input(body: dict[str, Any]) -> Any:
    """The API body as the service's input values (as oxyflow.reporting.api builds them)."""
    from oxyflow.reporting import services

    return services.FacilityReportIn(
        report_date=date.fromisoformat(body["report_date"]),
        patients_low_flow=body["patients_low_flow"],
        patients_high_flow=body["patients_high_flow"],
        patients_ventilated=body["patients_ventilated"],
        beds_occupied=body["beds_occupied"],
        lox_tanks=[services.TankLevelIn(t["level"], t["unit"]) for t in body["lox_tanks"]],
        cylinders=[
            services.CylindersIn(c["cylinder_type"], c["full"], c["empty"], c.get("used"))
            for c in body["cylinders"]
        ],
        concentrators_in_use=body["concentrators_in_use"],
    )


# ------------------------------------------------------------------------- runs


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc; 0 elsewhere or once gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _descendants(pid: int) -> list[int]:
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in map(int, children.read_text().split()):
                found += [child, *_descendants(child)]
    return found


def _backend_pids() -> list[int]:
    """PostgreSQL backends connected to the bench database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU seconds used by a set of processes between ``start`` and ``stop``."""

    def __init__(self, pids: Callable[[], list[int]]) -> None:
        self.pids = pids
        self.before: dict[int, float] = {}

    def start(self) -> None:
        self.before = {pid: _process_cpu(pid) for pid in self.pids()}

    def stop(self) -> float:
        # A process that appeared meanwhile (a new pooled connection) counts from zero.
        return sum(_process_cpu(pid) - self.before.get(pid, 0.0) for pid in self.pids())


@dataclass(frozen=True)
class Run:
    reports: int
    seconds: float
    latencies: list[float]
    failures: list[str]
    # CPU seconds over the run: the app (this process or the server's workers), the
    # database backends serving it, and the HTTP client threads.
    cpu_app: float = 0.0
    cpu_db: float = 0.0
    cpu_client: float = 0.0

    @property
    def per_s(self) -> float:
        return self.reports / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def submit_in_process(registry: Registry, indices: range, day: int, report_date: date) -> Run:
    """One facility after another through the service, as one process would."""
    from django.contrib.auth import get_user_model

    from oxyflow.registry import models as reg
    from oxyflow.reporting import services

    user = get_user_model().objects.get(pk=registry.user_id)
    codes = [registry.codes[i] for i in indices]
    by_code = reg.Facility.objects.select_related("region").in_bulk(codes, field_name="code")
    latencies, failures = [], []
    database = CpuMeter(_backend_pids)
    database.start()
    cpu = time.process_time()
    start = time.perf_counter()
    for i in indices:
        data = service_input(report_body(i, day, report_date))
        # As for a new request's user: the scope is resolved once per request.
        user.__dict__.pop("_oxyflow_scope", None)
        began = time.perf_counter()
        outcome = services.submit_facility_report(
            facility=by_code[registry.codes[i]],
            data=data,
            submission=services.Submission(user=user, key=uuid.uuid4().hex),
        )
        latencies.append(time.perf_counter() - began)
        if not outcome.created:
            failures.append(f"{registry.codes[i]}: not created")
    seconds = time.perf_counter() - start
    cpu_app = time.process_time() - cpu
    return Run(len(indices), seconds, latencies, failures, cpu_app, database.stop())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(path: Path, lines: int = 30) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def production_server(
    port: int, workers: int, threads: int, log: Path
) -> Iterator[tuple[int, float]]:
    """``oxyflow serve`` on ``port`` until the block ends; yields its pid, start-up seconds."""
    command = [sys.executable, "-m", "oxyflow.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    start = time.perf_counter()
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"oxyflow serve exited:\n{_log_tail(log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"oxyflow serve did not answer in 300 s:\n{_log_tail(log)}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        yield server.pid, time.perf_counter() - start
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _drive(
    server: tuple[str, int, int],
    registry: Registry,
    jobs: Iterator[tuple[str, str, bytes]],
    clients: int,
    check: Callable[[int, bytes], str | None],
    reports: int,
) -> Run:
    """Send ``jobs`` (label, path, body) from ``clients`` keep-alive threads; time them.

    ``check(status, answer)`` says what is wrong with an answer, or None. Latency is per
    request; the run counts ``reports``. CPU is measured on the server's workers, the
    database backends and this process (the clients).
    """
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)
    latencies: list[float] = []
    failures: list[str] = []
    host, port, server_pid = server
    auth = {"Authorization": f"Bearer {registry.token}"}

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=600)
        # Warm up: the first request in a worker loads the URLconf, the API and pint.
        for code in registry.codes[n : n + 2]:
            conn.request("GET", f"/api/v1/facilities/{code}/reports", headers=auth)
            conn.getresponse().read()
        ready.wait()
        while True:
            with lock:
                job = next(jobs, None)
            if job is None:
                break
            label, path, body = job
            headers = {
                **auth,
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            began = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                answer = response.read()
            except (http.client.HTTPException, OSError) as exc:
                failures.append(f"{label}: {exc!r}")
                conn.close()
                continue
            latencies.append(time.perf_counter() - began)
            problem = check(response.status, answer)
            if problem is not None:
                failures.append(f"{label}: {problem}"[:400])
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    workers = CpuMeter(lambda: _descendants(server_pid))
    database = CpuMeter(_backend_pids)
    ready.wait()
    workers.start()
    database.start()
    cpu = time.process_time()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    cpu_client = time.process_time() - cpu
    return Run(
        reports,
        seconds,
        latencies,
        failures,
        workers.stop(),
        database.stop(),
        cpu_client,
    )


def post_over_http(
    server: tuple[str, int, int], registry: Registry, day: int, report_date: date, clients: int
) -> Run:
    """Every facility's report as a POST, from ``clients`` threads on keep-alive connections."""
    jobs = iter(
        (
            code,
            f"/api/v1/facilities/{code}/reports",
            json.dumps(report_body(i, day, report_date)).encode(),
        )
        for i, code in enumerate(registry.codes)
    )

    def check(status: int, answer: bytes) -> str | None:
        return None if status == 201 else f"{status} {answer[:300]!r}"

    return _drive(server, registry, jobs, clients, check, len(registry.codes))


def post_batches_over_http(
    server: tuple[str, int, int],
    registry: Registry,
    day: int,
    report_date: date,
    clients: int,
    batch: int,
) -> Run:
    """Every facility's report in batches of ``batch`` to the batch endpoint.

    A national feed (or a provincial system) sends its facilities' reports together;
    latency is per request, throughput per report.
    """
    chunks = [
        range(start, min(start + batch, len(registry.codes)))
        for start in range(0, len(registry.codes), batch)
    ]
    jobs = iter(
        (
            f"batch from {registry.codes[chunk[0]]}",
            "/api/v1/facility-reports/batch",
            json.dumps(
                {
                    "reports": [
                        {
                            "facility": registry.codes[i],
                            "idempotency_key": uuid.uuid4().hex,
                            **report_body(i, day, report_date),
                        }
                        for i in chunk
                    ]
                }
            ).encode(),
        )
        for chunk in chunks
    )

    def check(status: int, answer: bytes) -> str | None:
        if status != 200:
            return f"{status} {answer[:300]!r}"
        result = json.loads(answer)
        bad = [r for r in result["results"] if r["outcome"] != "created"]
        return f"{len(bad)} not created, e.g. {bad[0]!r}" if bad else None

    return _drive(server, registry, jobs, clients, check, len(registry.codes))


# ------------------------------------------------------------------------- profile

# Functions timed one by one in the profile, in the order of a request, by where their
# callers look them up (a module or class, and the attribute). Each is timed exclusive
# of the others it calls, so BaseHandler.get_response is "the rest of the request".
# Those the code does not have (it changes) are left out of the table.
PHASES: list[tuple[str, str]] = [
    ("django.core.handlers.base.BaseHandler", "get_response"),
    ("oxyflow.accounts.idempotency.IdempotencyMiddleware", "__call__"),
    ("oxyflow.accounts.models.ApiToken", "authenticate"),
    # ninja's operation: auth, the view's own work, re-reading the report for the answer.
    ("ninja.operation.Operation", "run"),
    ("ninja.operation.Operation", "_get_values"),
    ("ninja.operation.Operation", "_result_to_response"),
    ("oxyflow.reporting.api", "get_visible"),
    ("oxyflow.reporting.services", "submit_facility_report"),
    ("oxyflow.reporting.services", "_check_can_report"),
    ("oxyflow.reporting.services", "_existing"),
    ("oxyflow.reporting.services", "_validate_facility"),
    ("oxyflow.reporting.services", "_check_when"),
    ("oxyflow.reporting.ledger_posting", "post_facility_report"),
    ("oxyflow.reporting.services", "_previous_facility_report"),
    ("oxyflow.reporting.services", "_facility_flags"),
    ("oxyflow.reporting.status", "refresh_status"),
    # The set path (oxyflow.reporting.ingest), where the service delegates to it.
    ("oxyflow.reporting.ingest", "ingest_facility_reports"),
    ("oxyflow.reporting.ingest._Catalogue", "load"),
    ("oxyflow.reporting.ingest", "_validate"),
    ("oxyflow.reporting.ingest", "_lock_sites"),
    ("oxyflow.reporting.ingest", "_load_state"),
    ("oxyflow.reporting.ingest", "_store_wave"),
    ("oxyflow.reporting.ingest", "_plan_postings"),
    ("oxyflow.reporting.ingest", "_flags"),
    ("oxyflow.stock.bulk", "post_many"),
    ("oxyflow.reporting.ingest", "_refresh_statuses"),
    ("oxyflow.reporting.status", "status_values"),
]


class PhaseMeter:
    """CPU and wall seconds, calls and queries per phase, each exclusive of nested phases."""

    def __init__(self) -> None:
        self.stack: list[list[Any]] = []
        self.cpu: Counter[str] = Counter()
        self.wall: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.queries: Counter[str] = Counter()
        self.labels: list[str] = []

    def wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.stack.append([label, time.thread_time(), time.perf_counter(), 0.0, 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                _, cpu0, wall0, nested_cpu, nested_wall = self.stack.pop()
                cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
                self.cpu[label] += cpu - nested_cpu
                self.wall[label] += wall - nested_wall
                self.calls[label] += 1
                if self.stack:
                    self.stack[-1][3] += cpu
                    self.stack[-1][4] += wall

        return timed

    def count_query(self, execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        self.queries[self.stack[-1][0] if self.stack else "(outside)"] += 1
        return execute(sql, *args)

    @contextlib.contextmanager
    def installed(self) -> Iterator[PhaseMeter]:
        from django.db import connection

        with contextlib.ExitStack() as patches:
            for owner_path, attribute in PHASES:
                owner = _import_owner(owner_path)
                raw = getattr(owner, "__dict__", {}).get(attribute)
                if raw is None:
                    continue
                label = f"{owner_path.rsplit('.', 1)[-1]}.{attribute}"
                if isinstance(raw, classmethod | staticmethod):
                    replacement: Any = type(raw)(self.wrap(label, raw.__func__))
                else:
                    replacement = self.wrap(label, raw)
                patches.enter_context(mock.patch.object(owner, attribute, replacement))
                self.labels.append(label)
            patches.enter_context(connection.execute_wrapper(self.count_query))
            yield self


def _import_owner(path: str) -> Any:
    """A module, a class inside one (``package.module.Class``), or None if neither exists."""
    module, _, name = path.rpartition(".")
    try:
        return importlib.import_module(path)
    except ImportError:
        try:
            return getattr(importlib.import_module(module), name, None)
        except ImportError:
            return None


@dataclass
class QueryTrace:
    """Queries counted by kind and by the innermost OxyFlow function that issued them."""

    total: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    issuers: Counter[str] = field(default_factory=Counter)


def _innermost_oxyflow_function(frame: Any) -> str:
    package = REPO / "oxyflow"
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(package):
            module = path.relative_to(package).with_suffix("").as_posix().replace("/", ".")
            return f"{module}.{frame.f_code.co_qualname}"
        frame = frame.f_back
    return "(outside oxyflow)"


@contextlib.contextmanager
def traced_queries() -> Iterator[QueryTrace]:
    """Count queries (CaptureQueriesContext) by kind and statements by issuing function."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    trace = QueryTrace()

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        trace.issuers[_innermost_oxyflow_function(sys._getframe(1))] += 1
        return execute(sql, *args)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(wrapper):
        yield trace
    # The capture also logs BEGIN and COMMIT, which no execute wrapper sees.
    trace.total = len(captured.captured_queries)
    for query in captured.captured_queries:
        sql = query["sql"].split(None, 2)
        trace.kinds[sql[0].upper() if sql[0][0].isalpha() else sql[2].split()[0].upper()] += 1


def _own_share(stats: pstats.Stats, match: Callable[[str], bool]) -> float:
    """Share of the profiled time spent in the functions of files that ``match``."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    return sum(v[2] for k, v in raw.items() if match(k[0])) / max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]


def top_functions(stats: pstats.Stats, reports: int, count: int) -> list[tuple[str, float, int]]:
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    ordered = sorted(raw.items(), key=lambda kv: -kv[1][2])[:count]
    out = []
    for (path, line, name), (_cc, calls, own, _cum, _callers) in ordered:
        short = path.split("site-packages/")[-1].replace(str(REPO) + "/", "")
        out.append((f"{short}:{line}({name})", own / reports, calls // max(reports, 1)))
    return out


def profile_reports(
    registry: Registry, k: int, report_date: date, clock: str, save: Path | None
) -> None:
    """Day-4 reports: half through the service, half through the whole Django stack.

    Each half runs three passes on distinct facilities: queries traced to their issuer
    (``TRACED_REPORTS``), then the phases timed, then cProfile.
    """
    from django.conf import settings
    from django.test import Client

    importlib.import_module(settings.ROOT_URLCONF)  # the API (and its routers) loaded
    client = Client(HTTP_AUTHORIZATION=f"Bearer {registry.token}")

    def via_service(indices: range) -> None:
        submit_in_process(registry, indices, 4, report_date)

    def via_request(indices: range) -> None:
        for i in indices:
            response = client.post(
                f"/api/v1/facilities/{registry.codes[i]}/reports",
                json.dumps(report_body(i, 4, report_date)),
                content_type="application/json",
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            assert response.status_code == 201, response.content[:300]

    half = k // 2
    for name, run, first in (("service", via_service, 0), ("request", via_request, half)):
        traced = range(first, first + TRACED_REPORTS)
        timed = range(traced.stop, traced.stop + (half - TRACED_REPORTS) // 2)
        profiled = range(timed.stop, first + half)
        with traced_queries() as trace:
            run(traced)
        with PhaseMeter().installed() as phases:
            run(timed)
        # cProfile times wall clock by default; "cpu" leaves out waits for the database
        # and for a core, at the price of a slower timer.
        timer = time.process_time if clock == "cpu" else time.perf_counter
        profiler = cProfile.Profile(timer)
        profiler.enable()
        run(profiled)
        profiler.disable()
        stats = pstats.Stats(profiler)
        if save is not None:
            save.mkdir(parents=True, exist_ok=True)
            stats.dump_stats(save / f"reporting-{name}.prof")
        print_profile(name, trace, phases, len(timed), stats, len(profiled), clock)


def print_profile(
    name: str,
    trace: QueryTrace,
    phases: PhaseMeter,
    timed: int,
    stats: pstats.Stats,
    profiled: int,
    clock: str,
) -> None:
    kinds = ", ".join(f"{kind} {n / TRACED_REPORTS:.0f}" for kind, n in trace.kinds.most_common())
    cpu, wall = sum(phases.cpu.values()) / timed, sum(phases.wall.values()) / timed
    print(
        f"\n{name}: {trace.total / TRACED_REPORTS:.1f} queries per report ({kinds}); "
        f"{cpu * 1000:.1f} ms CPU, {wall * 1000:.1f} ms wall per report ({timed} timed)"
    )
    width = 50
    print(
        f"  {'function (exclusive of those below it)':<{width}}{'calls':>6}{'queries':>8}"
        f"{'CPU ms':>8}{'wall ms':>8}{'CPU':>6}"
    )
    for label in phases.labels:
        if label in phases.calls:
            c = phases.cpu[label] / timed
            print(
                f"  {label:<{width}}{phases.calls[label] / timed:>6.1f}"
                f"{phases.queries[label] / timed:>8.1f}{c * 1000:>8.2f}"
                f"{phases.wall[label] / timed * 1000:>8.2f}{c / cpu:>6.0%}"
            )
    print(f"  {'queries by issuing function (innermost OxyFlow frame)':<{width + 14}}")
    for issuer, n in trace.issuers.most_common(16):
        print(f"  {issuer[-(width + 14) :]:<{width + 14}}{n / TRACED_REPORTS:>8.1f}")
    pint = _own_share(stats, lambda f: "/pint/" in f or f.endswith("oxyflow/core/units.py"))
    driver = _own_share(stats, lambda f: "/psycopg" in f)
    orm = _own_share(stats, lambda f: "/django/db/" in f)
    print(
        f"  cProfile ({clock} time, {profiled} reports): own time in pint + core.units "
        f"{pint:.1%}, Django ORM {orm:.0%}, psycopg {driver:.0%}; top functions:"
    )
    for label, seconds, calls in top_functions(stats, profiled, 12):
        print(f"  {label[-(width + 8) :]:<{width + 8}}{seconds * 1000:>6.2f} ms{calls:>6} calls")


# ------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    cpus = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--facilities", type=int, default=3000, help="reports per run")
    parser.add_argument("--workers", type=int, default=cpus, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--clients", type=int, help="client threads (default workers x threads)")
    parser.add_argument("--profile", type=int, default=300, help="reports profiled (0: none)")
    parser.add_argument(
        "--batch", type=int, default=250, help="reports per request to the batch endpoint"
    )
    parser.add_argument(
        "--batch-clients", type=int, default=2, help="client threads sending batches"
    )
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("OXYFLOW_BENCH_POSTGRES", DEFAULT_POSTGRES),
        help="a PostgreSQL URL allowed to create databases",
    )
    parser.add_argument(
        "--profile-clock", choices=("cpu", "wall"), default="cpu", help="what cProfile times"
    )
    parser.add_argument("--save-profiles", type=Path, help="write the .prof files here")
    args = parser.parse_args(argv)
    clients = args.clients or args.workers * args.threads
    profiled = min(args.profile, args.facilities)
    if profiled and profiled < 2 * (TRACED_REPORTS + 5):
        parser.error(f"--profile needs at least {2 * (TRACED_REPORTS + 5)} reports (or 0)")

    try:
        _admin_connection(args.postgres).close()
    except Exception as exc:  # psycopg.OperationalError, or psycopg missing
        print(
            f"bench_reporting needs PostgreSQL: cannot connect to {args.postgres} "
            f"({exc.__class__.__name__}: {str(exc).strip()}).\nStart PostgreSQL or pass "
            "--postgres postgres://user@host:port/postgres (a role that may create databases).",
            file=sys.stderr,
        )
        return 2

    data_dir = Path(tempfile.mkdtemp(prefix="oxyflow-bench-"))
    try:
        with bench_database(args.postgres) as database_url:
            return _run(args, clients, profiled, database_url, data_dir, cpus)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(
    args: argparse.Namespace,
    clients: int,
    profiled: int,
    database_url: str,
    data_dir: Path,
    cpus: int,
) -> int:
    load_start = os.getloadavg()[0]
    configure(database_url, data_dir)
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    t_migrate = time.perf_counter() - started
    started = time.perf_counter()
    registry = build_registry(args.facilities, args.seed)
    t_build = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    today = datetime.now(ZoneInfo(TIME_ZONE)).date()
    day_dates = [today - timedelta(days=5 - d) for d in range(5)]
    n = args.facilities
    print(
        f"registry: {n} facilities in {PROVINCES} provinces, built in {t_build:.1f} s "
        f"(migrate {t_migrate:.1f} s); PostgreSQL {pg_version}; {cpus} CPUs"
    )

    first = submit_in_process(registry, range(n), 0, day_dates[0])
    baseline = submit_in_process(registry, range(n), 1, day_dates[1])
    connection.close()
    port = free_port()
    log = data_dir / "server.log"
    try:
        with production_server(port, args.workers, args.threads, log) as (pid, t_start):
            server = ("127.0.0.1", port, pid)
            http_run = post_over_http(server, registry, 2, day_dates[2], clients)
            batch_run = post_batches_over_http(
                server, registry, 3, day_dates[3], args.batch_clients, args.batch
            )
    except RuntimeError as exc:  # the server did not start
        print(f"bench_reporting: {exc}", file=sys.stderr)
        return 1
    from oxyflow.reporting.models import FacilityReport

    stored = FacilityReport.objects.filter(report_date=day_dates[2], version=1).count()
    stored_batch = FacilityReport.objects.filter(report_date=day_dates[3], version=1).count()
    print(
        f"server: oxyflow serve (gunicorn) {args.workers} workers x {args.threads} threads, "
        f"ready in {t_start:.1f} s; {clients} client threads, keep-alive; "
        f"{stored} of {n} day-3 reports stored; batches of {args.batch} from "
        f"{args.batch_clients} client threads, {stored_batch} of {n} day-4 reports stored"
    )
    print()
    print(f"{'':<48}{'':>25}{'latency ms':>14}{'CPU ms per report':>22}")
    print(
        f"{'run':<48}{'reports':>8}{'s':>7}{'reports/s':>10}{'p50':>7}{'p95':>7}"
        f"{'app':>8}{'db':>7}{'client':>7}"
    )
    rows = [
        ("day 1, service in process (opening balances)", first),
        ("day 2, service in process (baseline)", baseline),
        ("day 3, HTTP to oxyflow serve, one per request", http_run),
        (f"day 4, HTTP to oxyflow serve, {args.batch} per request", batch_run),
    ]
    for label, run in rows:
        print(
            f"{label:<48}{run.reports:>8}{run.seconds:>7.1f}{run.per_s:>10.1f}"
            f"{run.percentile(50) * 1000:>7.1f}{run.percentile(95) * 1000:>7.1f}"
            f"{run.cpu_app / run.reports * 1000:>8.1f}{run.cpu_db / run.reports * 1000:>7.1f}"
            f"{run.cpu_client / run.reports * 1000:>7.1f}"
        )
    ratio = http_run.per_s / baseline.per_s
    batch_ratio = batch_run.per_s / baseline.per_s
    failures = first.failures + baseline.failures + http_run.failures + batch_run.failures
    # A country's facilities reach the platform through a national or provincial feed:
    # the target is judged on the batch endpoint; one report per request is shown too.
    met = batch_run.per_s >= TARGET_PER_S and not failures and stored == n and stored_batch == n
    server_cpu = (http_run.cpu_app + http_run.cpu_db) / http_run.reports
    print(
        f"\nHTTP / baseline: {ratio:.2f}x one per request, {batch_ratio:.2f}x in batches. "
        f"{COUNTRY_FACILITIES:,} facilities would take "
        f"{COUNTRY_FACILITIES / batch_run.per_s:.0f} s in batches, "
        f"{COUNTRY_FACILITIES / http_run.per_s:.0f} s one per request."
    )
    if server_cpu > 0:
        print(
            f"CPU per report sent one per request, server side (workers + PostgreSQL): "
            f"{server_cpu * 1000:.1f} ms: "
            f"{TARGET_PER_S:.0f} reports/s needs {TARGET_PER_S * server_cpu:.1f} busy cores; "
            f"this machine's {cpus} could give at most {cpus / server_cpu:.0f}/s."
        )
    print(f"load average (1 min) at start / end: {load_start:.1f} / {os.getloadavg()[0]:.1f}")
    print(
        f"target >= {TARGET_PER_S:.0f} reports/s over HTTP (batch endpoint): "
        + ("met" if met else f"MISSED ({batch_run.per_s:.1f}/s, {len(failures)} failed)")
    )
    for failure in failures[:10]:
        print(f"  failed: {failure}")
    if http_run.failures:
        print(f"server log (last lines):\n{_log_tail(log, 15)}")

    if profiled:
        profile_reports(registry, profiled, day_dates[4], args.profile_clock, args.save_profiles)
    connection.close()
    connection.close_pool()  # before the database is dropped
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
