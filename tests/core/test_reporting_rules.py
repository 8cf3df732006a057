"""The reporting calendar's rules: when a report is due, its deadline, and its status."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from oxyflow.core.calendars import ALGERIA, VIET_NAM, WorkingCalendar
from oxyflow.core.reporting import (
    ReportingError,
    ReportingRule,
    ReportStatus,
    deadline_at,
    due_days,
    is_due,
    report_status,
)

EVERY_DAY = ReportingRule()
WORKING_DAYS = ReportingRule(on_weekends=False, on_holidays=False)
FRIDAY = date(2021, 8, 13)
SATURDAY = date(2021, 8, 14)
SUNDAY = date(2021, 8, 15)
MONDAY = date(2021, 8, 16)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_by_default_a_report_is_due_every_day_weekends_and_holidays_included() -> None:
    week = list(due_days(EVERY_DAY, ALGERIA, date(2021, 7, 5), date(2021, 7, 12)))
    assert len(week) == 7
    assert is_due(EVERY_DAY, ALGERIA, date(2021, 7, 5))  # Independence Day


def test_algeria_exempts_friday_and_saturday_where_viet_nam_exempts_saturday_and_sunday() -> None:
    due_in_algeria = [d for d in (FRIDAY, SATURDAY, SUNDAY) if is_due(WORKING_DAYS, ALGERIA, d)]
    due_in_viet_nam = [d for d in (FRIDAY, SATURDAY, SUNDAY) if is_due(WORKING_DAYS, VIET_NAM, d)]
    assert due_in_algeria == [SUNDAY]
    assert due_in_viet_nam == [FRIDAY]


def test_a_public_holiday_is_not_due_only_when_holidays_are_exempted() -> None:
    independence_day = date(2021, 7, 5)  # a Monday
    assert ALGERIA.holiday_name(independence_day) == "Independence Day"
    assert not is_due(ReportingRule(on_holidays=False), ALGERIA, independence_day)
    assert is_due(ReportingRule(on_weekends=False), ALGERIA, independence_day)
    # Not a holiday in Viet Nam: due there even with holidays exempted.
    assert is_due(ReportingRule(on_holidays=False), VIET_NAM, independence_day)


def test_a_weekend_is_due_when_only_holidays_are_exempted() -> None:
    assert is_due(ReportingRule(on_holidays=False), ALGERIA, FRIDAY)


def test_due_days_of_a_week_without_weekends_or_holidays() -> None:
    # 2021-08-09 is Islamic New Year (estimated) in Algeria; 13-14 its weekend.
    days = list(due_days(WORKING_DAYS, ALGERIA, date(2021, 8, 8), date(2021, 8, 15)))
    assert days == [date(2021, 8, 8), date(2021, 8, 10), date(2021, 8, 11), date(2021, 8, 12)]


def test_due_days_refuse_an_end_before_the_start() -> None:
    with pytest.raises(ReportingError, match="end"):
        list(due_days(EVERY_DAY, ALGERIA, MONDAY, SUNDAY))


def test_the_same_local_deadline_is_a_different_utc_instant_in_each_country() -> None:
    rule = ReportingRule(deadline=time(10, 0))
    assert deadline_at(rule, ALGERIA, MONDAY) == utc("2021-08-16T09:00:00")  # UTC+1
    assert deadline_at(rule, VIET_NAM, MONDAY) == utc("2021-08-16T03:00:00")  # UTC+7


def test_a_deadline_follows_daylight_saving_time() -> None:
    france = WorkingCalendar("FR", "Europe/Paris", frozenset({5, 6}))
    rule = ReportingRule(deadline=time(10, 0))
    assert deadline_at(rule, france, date(2021, 1, 15)) == utc("2021-01-15T09:00:00")
    assert deadline_at(rule, france, date(2021, 7, 15)) == utc("2021-07-15T08:00:00")


def test_a_report_is_pending_up_to_the_deadline_and_missing_just_after() -> None:
    deadline = deadline_at(EVERY_DAY, ALGERIA, MONDAY)
    at_deadline = report_status(EVERY_DAY, ALGERIA, MONDAY, received_at=None, now=deadline)
    just_after = report_status(
        EVERY_DAY, ALGERIA, MONDAY, received_at=None, now=deadline + timedelta(microseconds=1)
    )
    assert at_deadline == ReportStatus.PENDING
    assert just_after == ReportStatus.MISSING


def test_a_report_received_by_the_deadline_is_on_time_and_after_it_late() -> None:
    deadline = deadline_at(EVERY_DAY, VIET_NAM, MONDAY)
    later = deadline + timedelta(hours=6)

    def status(received: datetime) -> ReportStatus:
        return report_status(EVERY_DAY, VIET_NAM, MONDAY, received_at=received, now=later)

    assert status(deadline) == ReportStatus.ON_TIME
    assert status(deadline + timedelta(seconds=1)) == ReportStatus.LATE


def test_a_correction_after_the_deadline_keeps_an_on_time_report_on_time() -> None:
    deadline = deadline_at(EVERY_DAY, ALGERIA, MONDAY)
    first_version = deadline - timedelta(hours=1)
    # The caller passes the first version's arrival, whatever corrections came after.
    status = report_status(
        EVERY_DAY,
        ALGERIA,
        MONDAY,
        received_at=first_version,
        now=deadline + timedelta(hours=5),
    )
    assert status == ReportStatus.ON_TIME


def test_an_exempt_day_is_not_due_whether_or_not_a_report_came() -> None:
    now = utc("2021-08-20T12:00:00")
    assert (
        report_status(WORKING_DAYS, ALGERIA, FRIDAY, received_at=None, now=now)
        == ReportStatus.NOT_DUE
    )
    assert (
        report_status(WORKING_DAYS, ALGERIA, FRIDAY, received_at=now, now=now)
        == ReportStatus.NOT_DUE
    )


def test_a_naive_clock_is_refused() -> None:
    with pytest.raises(ReportingError, match="timezone-aware"):
        report_status(EVERY_DAY, ALGERIA, MONDAY, received_at=None, now=datetime(2021, 8, 16))


def test_a_deadline_with_a_time_zone_is_refused() -> None:
    with pytest.raises(ReportingError, match="deadline"):
        ReportingRule(deadline=time(10, 0, tzinfo=UTC))


def test_a_report_for_a_day_not_begun_in_the_sites_time_zone_is_refused() -> None:
    from oxyflow.core.reporting import ReportingError, check_report_day

    # 22:30 UTC on 8 August is already 9 August in Ho Chi Minh City, not in Algiers.
    now = datetime(2021, 8, 8, 22, 30, tzinfo=UTC)
    check_report_day(VIET_NAM, date(2021, 8, 9), now=now)
    with pytest.raises(ReportingError) as refused:
        check_report_day(ALGERIA, date(2021, 8, 9), now=now)
    assert refused.value.field == "report_date"


def test_a_report_older_than_the_allowed_age_is_refused() -> None:
    from oxyflow.core.reporting import MAX_REPORT_AGE_DAYS, ReportingError, check_report_day

    now = datetime(2021, 8, 9, 12, tzinfo=UTC)
    check_report_day(ALGERIA, date(2021, 8, 9) - timedelta(days=MAX_REPORT_AGE_DAYS), now=now)
    with pytest.raises(ReportingError, match="more than 90 days"):
        check_report_day(
            ALGERIA, date(2021, 8, 9) - timedelta(days=MAX_REPORT_AGE_DAYS + 1), now=now
        )
