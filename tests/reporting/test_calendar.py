"""The reporting calendar on the test world: statuses, reminders, the job, the page.

The clock is fixed at Monday 2021-08-09 11:00 UTC: 12:00 in Algiers, 18:00 in Hồ Chí
Minh City. Without a rule, reports are due daily by 10:00 local time.
"""

from __future__ import annotations

import json
import os
import smtplib
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import include, path

import oxyflow.urls
from oxyflow.core.reporting import ReportStatus
from oxyflow.registry import models as reg
from oxyflow.reporting import calendar, reminders, services, tasks
from oxyflow.reporting.models import (
    Channel,
    ProducerReport,
    Reminder,
    ReminderKind,
    ReportingRule,
)
from tests.reporting.conftest import NOW, TODAY, ReportingWorld, report_in, submission

# The project's URLs with the calendar pages under /reports/ (until oxyflow.urls has them).
urlpatterns = list(oxyflow.urls.urlpatterns)
if not any(getattr(p, "app_name", "") == "reporting_calendar" for p in urlpatterns):
    urlpatterns.insert(0, path("reports/", include("oxyflow.reporting.calendar_urls")))

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def at(text: str) -> datetime:
    """An instant of 2021-08-09 given as UTC time of day, e.g. ``at("08:30")``."""
    return datetime.fromisoformat(f"2021-08-09T{text}:00+00:00")


def report_facility(rw: ReportingWorld, facility: reg.Facility, received: datetime) -> None:
    data = report_in() if facility == rw.world.chu_batna else report_in(lox_tanks=[])
    services.submit_facility_report(
        facility=facility, data=data, submission=submission(rw.world.coordinator, now=received)
    )


def report_producer(producer: reg.Producer, received: datetime) -> None:
    ProducerReport.objects.create(
        producer=producer,
        report_date=TODAY,
        as_of=received,
        received_at=received,
        first_received_at=received,
        channel=Channel.API,
        submission_key=f"key-{producer.code}",
    )


def by_code(site_days: list[calendar.SiteDay]) -> dict[str, ReportStatus]:
    return {s.site.code: s.status for s in site_days}


def all_sites() -> list[reg.Site]:
    return list(calendar.reporting_sites())


# ------------------------------------------------------------------------------ statuses


def test_statuses_of_the_test_world_at_noon_in_algiers(rw: ReportingWorld) -> None:
    w = rw.world
    report_facility(rw, w.chu_batna, at("08:00"))  # 09:00 in Algiers: on time
    report_facility(rw, w.eph_barika, at("10:00"))  # 11:00 in Algiers: late
    report_producer(w.vn_plant, at("02:00"))  # 09:00 in Hồ Chí Minh City: on time
    assert by_code(calendar.statuses(all_sites(), TODAY, NOW)) == {
        "DZ-CHU-BATNA": ReportStatus.ON_TIME,
        "DZ-EPH-BARIKA": ReportStatus.LATE,
        "DZ-LINDE-SKIKDA": ReportStatus.MISSING,
        "VN-BVDK-BP": ReportStatus.MISSING,
        "VN-PLANT": ReportStatus.ON_TIME,
    }


def test_before_the_deadline_a_report_not_in_is_pending(rw: ReportingWorld) -> None:
    # 08:30 in Algiers is before its 10:00 deadline; 14:30 in Viet Nam is after its own.
    statuses = by_code(calendar.statuses(all_sites(), TODAY, at("07:30")))
    assert statuses["DZ-CHU-BATNA"] == ReportStatus.PENDING
    assert statuses["DZ-LINDE-SKIKDA"] == ReportStatus.PENDING
    assert statuses["VN-BVDK-BP"] == ReportStatus.MISSING


def test_without_a_day_each_site_is_judged_on_its_own_local_day(rw: ReportingWorld) -> None:
    # 20:00 UTC on the 9th is already the 10th in Viet Nam, still the 9th in Algeria.
    site_days = {s.site.code: s.day for s in calendar.statuses(all_sites(), None, at("20:00"))}
    assert site_days["DZ-CHU-BATNA"] == date(2021, 8, 9)
    assert site_days["VN-BVDK-BP"] == date(2021, 8, 10)


def test_the_deadline_is_given_in_utc_and_in_the_sites_local_time(rw: ReportingWorld) -> None:
    site_days = {s.site.code: s for s in calendar.statuses(all_sites(), TODAY, NOW)}
    chu, vn = site_days["DZ-CHU-BATNA"], site_days["VN-BVDK-BP"]
    assert chu.deadline == at("09:00")
    assert chu.local_deadline.time() == time(10, 0)
    assert (chu.time_zone, chu.utc_offset) == ("Africa/Algiers", "UTC+01:00")
    assert vn.deadline == at("03:00")
    assert (vn.time_zone, vn.utc_offset) == ("Asia/Ho_Chi_Minh", "UTC+07:00")


def test_a_correction_after_the_deadline_keeps_the_report_on_time(rw: ReportingWorld) -> None:
    report_facility(rw, rw.world.chu_batna, at("08:00"))
    services.submit_facility_report(
        facility=rw.world.chu_batna,
        data=report_in(patients_low_flow=25),
        submission=submission(
            rw.world.coordinator, now=at("10:30"), correction_reason="Recount of the ward"
        ),
    )
    [chu] = calendar.statuses([rw.world.chu_batna], TODAY, NOW)
    assert chu.status == ReportStatus.ON_TIME
    assert chu.received_at == at("08:00")


def test_the_nearest_rule_up_the_tree_decides(rw: ReportingWorld) -> None:
    w = rw.world
    ReportingRule.objects.create(region=w.algeria.region, deadline=time(12, 30))
    ReportingRule.objects.create(region=w.barika_daira, deadline=time(11, 30))
    report_facility(rw, w.chu_batna, at("11:15"))  # 12:15 in Algiers
    report_facility(rw, w.eph_barika, at("11:15"))
    sites = all_sites()
    site_days = {s.site.code: s for s in calendar.statuses(sites, TODAY, at("11:20"))}
    assert site_days["DZ-CHU-BATNA"].status == ReportStatus.ON_TIME  # by 12:30
    assert site_days["DZ-EPH-BARIKA"].status == ReportStatus.LATE  # by 11:30
    assert site_days["DZ-LINDE-SKIKDA"].status == ReportStatus.PENDING
    assert site_days["VN-BVDK-BP"].rule.deadline == time(10, 0)
    assert calendar.rules_for(sites) == {s.pk: services.reporting_rule(s) for s in sites}


def test_an_exempted_public_holiday_is_not_due(rw: ReportingWorld) -> None:
    # 2021-08-09 is Islamic New Year (estimated) in Algeria, an ordinary day in Viet Nam.
    ReportingRule.objects.create(
        region=rw.world.algeria.region, deadline=time(10, 0), on_holidays=False
    )
    statuses = by_code(calendar.statuses(all_sites(), TODAY, NOW))
    assert statuses["DZ-CHU-BATNA"] == ReportStatus.NOT_DUE
    assert statuses["DZ-LINDE-SKIKDA"] == ReportStatus.NOT_DUE
    assert statuses["VN-BVDK-BP"] == ReportStatus.MISSING


def test_an_exempted_weekend_follows_each_countrys_weekend(rw: ReportingWorld) -> None:
    for country in (rw.world.algeria, rw.world.viet_nam):
        ReportingRule.objects.create(region=country.region, deadline=time(10), on_weekends=False)
    friday = date(2021, 8, 13)
    statuses = by_code(calendar.statuses(all_sites(), friday, NOW + timedelta(days=5)))
    assert statuses["DZ-CHU-BATNA"] == ReportStatus.NOT_DUE
    assert statuses["VN-BVDK-BP"] == ReportStatus.MISSING


def test_depots_and_retired_sites_do_not_report(rw: ReportingWorld) -> None:
    w = rw.world
    reg.Site.objects.filter(pk=w.eph_barika.pk).update(retired_on=date(2021, 8, 9))
    codes = {s.site.code for s in calendar.statuses(reg.Site.objects.all(), TODAY, NOW)}
    assert "DZ-LINDE-DEPOT" not in codes
    assert "DZ-EPH-BARIKA" not in codes
    # The day before its retirement, it still owed a report.
    earlier = calendar.statuses(reg.Site.objects.all(), date(2021, 8, 8), NOW)
    assert "DZ-EPH-BARIKA" in {s.site.code for s in earlier}
    assert "DZ-EPH-BARIKA" not in {s.code for s in calendar.reporting_sites()}


def test_statuses_read_the_reports_of_many_sites_in_as_many_queries_as_one(
    rw: ReportingWorld,
) -> None:
    report_facility(rw, rw.world.chu_batna, at("08:00"))
    sites = all_sites()
    calendar.statuses(sites, TODAY, NOW)  # country calendars are cached once

    with CaptureQueriesContext(connection) as one:
        calendar.statuses(sites[:1], TODAY, NOW)
    with CaptureQueriesContext(connection) as many:
        calendar.statuses(sites, TODAY, NOW)
    assert len(many) == len(one) == 2  # the rules, the reports


@pytest.mark.parametrize(
    ("rule", "day", "clock"),
    [
        (None, TODAY, NOW),  # on time, late, missing, in two countries
        (None, TODAY, at("07:30")),  # pending before the deadline
        ("holiday", TODAY, NOW),  # an exempted holiday in Algeria
        ("weekend", date(2021, 8, 13), NOW + timedelta(days=5)),
        ("retired", TODAY, NOW),  # EPH Barika retired that day
    ],
)
def test_status_counts_equal_the_counts_of_the_statuses(
    rw: ReportingWorld, rule: str | None, day: date, clock: datetime
) -> None:
    w = rw.world
    report_facility(rw, w.chu_batna, at("08:00"))
    report_facility(rw, w.eph_barika, at("10:00"))
    report_producer(w.vn_plant, at("02:00"))
    if rule == "holiday":
        ReportingRule.objects.create(region=w.algeria.region, deadline=time(10), on_holidays=False)
    elif rule == "weekend":
        ReportingRule.objects.create(region=w.algeria.region, deadline=time(10), on_weekends=False)
    elif rule == "retired":
        reg.Site.objects.filter(pk=w.eph_barika.pk).update(retired_on=TODAY)
    sites = reg.Site.objects.all()
    expected = calendar.counts(calendar.statuses(list(sites.select_related("region")), day, clock))
    assert calendar.status_counts(sites, day, clock) == expected
    assert sum(expected.values()) >= 3


def test_late_and_missing_sites_of_a_region_today(rw: ReportingWorld) -> None:
    w = rw.world
    report_facility(rw, w.chu_batna, at("08:00"))
    report_facility(rw, w.eph_barika, at("10:00"))
    assert [s.site.code for s in calendar.late_sites(w.batna, NOW)] == ["DZ-EPH-BARIKA"]
    assert [s.site.code for s in calendar.missing_sites(w.algeria.region, NOW)] == [
        "DZ-LINDE-SKIKDA"
    ]
    counts = calendar.counts(calendar.region_statuses(w.algeria.region, None, NOW))
    assert counts == {
        ReportStatus.NOT_DUE: 0,
        ReportStatus.PENDING: 0,
        ReportStatus.ON_TIME: 1,
        ReportStatus.LATE: 1,
        ReportStatus.MISSING: 1,
    }


# ----------------------------------------------------------------------------- reminders


@pytest.fixture
def contacts(rw: ReportingWorld) -> ReportingWorld:
    reg.Contact.objects.create(
        site=rw.world.chu_batna,
        name="Dr Amrani",
        role=reg.ContactRole.DIRECTOR,
        phone="+213 33 86 00 00",
        email="director@chu-batna.example",
    )
    reg.Contact.objects.create(
        site=rw.world.chu_batna, name="Night pharmacy", role=reg.ContactRole.ON_CALL, phone="0330"
    )
    return rw


def message_for(code: str) -> mail.EmailMessage:
    [message] = [m for m in mail.outbox if code in m.subject]
    return message


def test_due_soon_reminders_go_to_the_sites_people_before_the_deadline(
    contacts: ReportingWorld,
) -> None:
    sent = reminders.send_due_reminders(now=at("07:30"))  # 08:30 in Algiers, due by 10:00
    chu = message_for("DZ-CHU-BATNA")
    assert chu.to == ["director@chu-batna.example", "fatima@example.org"]
    assert chu.cc == []
    assert "due by 10:00" in chu.subject
    assert "Aug. 9, 2021" in chu.body
    assert "Africa/Algiers, UTC+01:00" in chu.body
    plant = message_for("DZ-LINDE-SKIKDA")
    assert plant.to == ["paul@example.org"]  # producer staff through the organisation
    kinds = {(r.site_id, r.kind) for r in sent}
    assert (contacts.world.chu_batna.pk, ReminderKind.DUE_SOON) in kinds
    # Viet Nam's deadline has passed (14:30 there): its sites are already missing.
    assert (contacts.world.bv_binh_phuoc.pk, ReminderKind.MISSING) in kinds


def test_no_reminder_before_the_lead_time(contacts: ReportingWorld) -> None:
    sent = reminders.send_due_reminders(now=at("06:30"))  # 2.5 h before the deadline
    assert not [r for r in sent if r.kind == ReminderKind.DUE_SOON]
    assert reminders.send_due_reminders(now=at("06:30"), lead=timedelta(hours=3))


def test_missing_reminders_copy_the_coordinators_after_the_deadline(
    contacts: ReportingWorld,
) -> None:
    w = contacts.world
    report_producer(w.linde_plant, at("08:45"))
    reminders.send_due_reminders(now=NOW)
    chu = message_for("DZ-CHU-BATNA")
    assert "missing" in chu.subject
    assert chu.to == ["director@chu-batna.example", "fatima@example.org"]
    assert chu.cc == ["carim@example.org"]  # not the ministry, not the viewer
    assert "was due by 10:00 (Africa/Algiers, UTC+01:00)" in chu.body
    # Nobody at EPH Barika has an address: its coordinator is written to.
    assert message_for("DZ-EPH-BARIKA").to == ["carim@example.org"]
    # The plant reported on time: no reminder.
    assert not [m for m in mail.outbox if "DZ-LINDE-SKIKDA" in m.subject]
    reminder = Reminder.objects.get(site=w.chu_batna, kind=ReminderKind.MISSING)
    assert reminder.recipients == (
        "director@chu-batna.example, fatima@example.org, carim@example.org"
    )


def test_a_reminder_is_written_in_the_platforms_default_language(
    contacts: ReportingWorld, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "fr"
    reminders.send_due_reminders(now=NOW)
    assert "9 août 2021" in message_for("DZ-CHU-BATNA").body


def test_running_the_job_twice_sends_nothing_twice(contacts: ReportingWorld) -> None:
    first = reminders.send_due_reminders(now=NOW)
    emails = len(mail.outbox)
    again = reminders.send_due_reminders(now=NOW + timedelta(minutes=15))
    assert first
    assert again == []
    assert len(mail.outbox) == emails
    assert Reminder.objects.count() == len(first)


def test_a_reminder_claimed_by_a_concurrent_run_is_skipped(
    contacts: ReportingWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = contacts.world
    # The other run inserted its row after this one checked what was already sent.
    Reminder.objects.create(
        site=w.chu_batna, report_date=TODAY, kind=ReminderKind.MISSING, sent_at=NOW
    )
    monkeypatch.setattr(reminders, "_already_sent", lambda keys: set())
    sent = reminders.send_due_reminders(now=NOW)
    assert w.chu_batna.pk not in {r.site_id for r in sent}
    assert not [m for m in mail.outbox if "DZ-CHU-BATNA" in m.subject]
    assert Reminder.objects.filter(site=w.chu_batna).count() == 1


def test_a_failed_email_is_tried_again_at_the_next_run(
    contacts: ReportingWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Any, fail_silently: bool = False) -> int:
        raise smtplib.SMTPServerDisconnected("gone")

    with monkeypatch.context() as patch:
        patch.setattr(mail.EmailMessage, "send", refuse)
        reminders.send_due_reminders(now=NOW)
    assert not Reminder.objects.filter(site=contacts.world.chu_batna).exists()
    reminders.send_due_reminders(now=NOW + timedelta(minutes=15))
    assert message_for("DZ-CHU-BATNA").cc == ["carim@example.org"]


def test_a_missing_reminder_is_not_sent_a_day_after_the_deadline(rw: ReportingWorld) -> None:
    sent = reminders.send_due_reminders(now=NOW + timedelta(days=1, hours=2))
    assert {r.report_date for r in sent} == {TODAY + timedelta(days=1)}


class FakeResponse:
    status = 204

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def webhook(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[urllib.request.Request]:
    settings.OXYFLOW_REPORT_WEBHOOK_URL = "https://hooks.example.org/oxyflow"
    calls: list[urllib.request.Request] = []

    def urlopen(request: urllib.request.Request, timeout: float) -> FakeResponse:
        calls.append(request)
        return FakeResponse()

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return calls


def test_each_reminder_is_posted_to_the_webhook(
    contacts: ReportingWorld, webhook: list[urllib.request.Request]
) -> None:
    reminders.send_due_reminders(now=NOW)
    bodies = [json.loads(request.data) for request in webhook]  # type: ignore[arg-type]
    assert {
        "event": "report.reminder",
        "site": "DZ-CHU-BATNA",
        "report_date": "2021-08-09",
        "deadline": "2021-08-09T10:00:00+01:00",
        "kind": "missing",
    } in bodies
    assert webhook[0].get_method() == "POST"
    assert webhook[0].get_header("Content-type") == "application/json"
    assert len(webhook) == Reminder.objects.count()
    assert set(Reminder.objects.values_list("webhook_status", flat=True)) == {"204"}


@pytest.mark.parametrize(
    ("failure", "recorded"),
    [
        (urllib.error.URLError("connection refused"), "error: URLError: connection refused"),
        (
            urllib.error.HTTPError("https://hooks.example.org", 500, "Server Error", {}, None),  # type: ignore[arg-type]
            "error: HTTP 500",
        ),
        (TimeoutError("timed out"), "error: TimeoutError: timed out"),
    ],
)
def test_a_failing_webhook_is_recorded_and_the_emails_still_go(
    contacts: ReportingWorld,
    webhook: list[urllib.request.Request],
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
    recorded: str,
) -> None:
    def urlopen(request: urllib.request.Request, timeout: float) -> FakeResponse:
        raise failure

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    reminders.send_due_reminders(now=NOW)
    reminder = Reminder.objects.get(site=contacts.world.chu_batna)
    assert reminder.webhook_status == recorded
    assert message_for("DZ-CHU-BATNA")


def test_without_a_webhook_url_nothing_is_posted(
    rw: ReportingWorld, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OXYFLOW_REPORT_WEBHOOK_URL = ""

    def urlopen(*args: object, **kwargs: object) -> None:
        raise AssertionError("no webhook is configured")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    reminders.send_due_reminders(now=NOW)
    assert set(Reminder.objects.values_list("webhook_status", flat=True)) == {""}


def test_a_webhook_url_that_is_not_http_stops_the_start() -> None:
    env = {**os.environ, "OXYFLOW_REPORT_WEBHOOK_URL": "file:///etc/passwd"}
    result = subprocess.run(
        [sys.executable, "-c", "import oxyflow.settings"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode != 0
    assert "OXYFLOW_REPORT_WEBHOOK_URL='file:///etc/passwd' is not valid" in result.stderr


# ------------------------------------------------------------------------ the periodic job


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks.timezone, "now", lambda: NOW)


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_the_check_reports_task_sends_the_reminders_due(
    contacts: ReportingWorld, frozen_clock: None
) -> None:
    result = tasks.check_reports.enqueue()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {"due_soon": 0, "missing": 5}
    assert tasks.check_reports.enqueue().return_value == {"due_soon": 0, "missing": 0}


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_the_scheduler_runs_the_check_every_15_minutes(
    contacts: ReportingWorld, frozen_clock: None
) -> None:
    from oxyflow.web.scheduler import SCHEDULE

    [job] = [job for job in SCHEDULE if job.name == "check_reports"]
    assert job.period == timedelta(minutes=15)
    call_command("scheduler", "--once")
    assert message_for("DZ-CHU-BATNA").cc == ["carim@example.org"]


# -------------------------------------------------------------------------------- the page

page = pytest.mark.urls(__name__)


def get(user: Any, query: str = "?date=2021-08-09") -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(f"/reports/missing/{query}")


def listed(response: Any) -> set[str]:
    return {s.site.code for group in response.context["groups"] for s in _rows(group)}


def _rows(group: dict[str, Any]) -> list[calendar.SiteDay]:
    return [row.site_day for row in group["rows"]]


@page
def test_a_coordinator_sees_who_has_not_reported_in_the_province(contacts: ReportingWorld) -> None:
    w = contacts.world
    report_facility(contacts, w.eph_barika, at("08:00"))
    response = get(w.coordinator)
    assert response.status_code == 200
    # Not the Skikda plant that supplies Batna: Skikda's coordinator calls it.
    assert listed(response) == {"DZ-CHU-BATNA"}
    html = response.content.decode()
    assert "+213 33 86 00 00" in html
    assert 'href="/reports/facility/DZ-CHU-BATNA/new/?date=2021-08-09"' in html
    assert "10:00" in html
    assert "Africa/Algiers (UTC+01:00)" in html
    counts = {status: n for status, _label, n in response.context["counts"]}
    assert counts[ReportStatus.MISSING] == 1
    assert counts[ReportStatus.ON_TIME] == 1


@page
def test_the_ministry_sees_the_whole_country_grouped_by_region(rw: ReportingWorld) -> None:
    response = get(rw.world.ministry)
    assert listed(response) == {"DZ-CHU-BATNA", "DZ-EPH-BARIKA", "DZ-LINDE-SKIKDA"}
    assert [g["region"].code for g in response.context["groups"]] == [
        "DZ-05-01",
        "DZ-05-02",
        "DZ-21",
    ]
    assert 'href="/reports/producer/DZ-LINDE-SKIKDA/new/?date=2021-08-09"' in (
        response.content.decode()
    )


@page
def test_facility_staff_see_only_their_own_facility(rw: ReportingWorld) -> None:
    response = get(rw.world.facility_staff)
    assert listed(response) == {"DZ-CHU-BATNA"}
    assert "/reports/facility/DZ-CHU-BATNA/new/" in response.content.decode()


@page
def test_producer_staff_see_their_organisations_plant(rw: ReportingWorld) -> None:
    assert listed(get(rw.world.producer_staff)) == {"DZ-LINDE-SKIKDA"}


@page
def test_a_viewer_sees_the_list_but_no_way_to_enter_a_report(rw: ReportingWorld) -> None:
    response = get(rw.world.viewer)
    assert listed(response) == {"DZ-EPH-BARIKA"}
    assert "/new/" not in response.content.decode()


@page
def test_an_outsider_gets_404_and_a_visitor_the_login_page(rw: ReportingWorld) -> None:
    assert get(rw.world.outsider).status_code == 404
    response = get(None)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@page
def test_the_region_filter_stays_within_scope(rw: ReportingWorld) -> None:
    coordinator = rw.world.coordinator
    assert listed(get(coordinator, "?date=2021-08-09&region=DZ-05-02")) == {"DZ-EPH-BARIKA"}
    outside = get(coordinator, "?date=2021-08-09&region=VN-70")
    assert listed(outside) == {"DZ-CHU-BATNA", "DZ-EPH-BARIKA"}


@page
def test_without_a_date_the_page_shows_today_with_pending_reports(
    rw: ReportingWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oxyflow.reporting import calendar_views

    monkeypatch.setattr(calendar_views.timezone, "now", lambda: at("07:30"))
    client = Client()
    client.force_login(rw.world.coordinator)
    response = client.get("/reports/missing/")
    rows = [s for group in response.context["groups"] for s in _rows(group)]
    assert {s.status for s in rows} == {ReportStatus.PENDING}
    assert {s.day for s in rows} == {TODAY}


@page
def test_a_bad_or_future_date_is_refused_with_a_message(rw: ReportingWorld) -> None:
    response = get(rw.world.coordinator, "?date=09/08/2021")
    assert "is not a date" in response.context["error"]
    response = get(rw.world.coordinator, "?date=2999-01-01")
    assert "is in the future" in response.context["error"]
