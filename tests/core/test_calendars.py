"""Working calendars: weekends, public holidays and local days, Algeria and Viet Nam."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oxyflow.core.calendars import ALGERIA, VIET_NAM, WorkingCalendar, parse_weekend_days

FRANCE = WorkingCalendar("FR", "Europe/Paris", frozenset({5, 6}))


# ---------------------------------------------------------------- weekends


def test_algeria_rests_on_friday_and_saturday() -> None:
    assert ALGERIA.is_weekend(date(2021, 7, 16))  # Friday
    assert ALGERIA.is_weekend(date(2021, 7, 17))  # Saturday
    assert not ALGERIA.is_weekend(date(2021, 7, 18))  # Sunday
    assert ALGERIA.is_working_day(date(2021, 7, 18))


def test_viet_nam_rests_on_saturday_and_sunday() -> None:
    assert not VIET_NAM.is_weekend(date(2021, 7, 16))  # Friday
    assert VIET_NAM.is_weekend(date(2021, 7, 17))
    assert VIET_NAM.is_weekend(date(2021, 7, 18))
    assert VIET_NAM.is_working_day(date(2021, 7, 19))  # Monday


# ---------------------------------------------------------------- holidays


def test_algerian_independence_day_and_revolution_day_are_holidays() -> None:
    assert ALGERIA.holiday_name(date(2021, 7, 5)) == "Independence Day"
    assert ALGERIA.holiday_name(date(2021, 11, 1)) == "Revolution Day"
    assert not ALGERIA.is_working_day(date(2021, 7, 5))  # a Monday


def test_vietnamese_national_day_is_a_holiday() -> None:
    assert VIET_NAM.holiday_name(date(2021, 9, 2)) == "National Day"
    assert not VIET_NAM.is_working_day(date(2021, 9, 2))  # a Thursday


def test_an_ordinary_day_has_no_holiday_name() -> None:
    assert ALGERIA.holiday_name(date(2021, 7, 6)) is None


def test_holidays_in_a_year_come_sorted_from_the_holidays_package() -> None:
    year = ALGERIA.holidays_in(2021)
    assert list(year) == sorted(year)
    assert {date(2021, 1, 1), date(2021, 7, 5), date(2021, 11, 1)} <= set(year)


def test_overrides_add_rename_and_remove_holidays() -> None:
    calendar = WorkingCalendar(
        "DZ",
        "Africa/Algiers",
        frozenset({4, 5}),
        holiday_overrides=(
            (date(2021, 5, 13), ""),  # the estimated Eid moved by a day
            (date(2021, 5, 15), "Eid al-Fitr"),
            (date(2021, 7, 5), "Independence and Youth Day"),
        ),
    )
    assert calendar.holiday_name(date(2021, 5, 13)) is None
    assert calendar.holiday_name(date(2021, 5, 15)) == "Eid al-Fitr"
    assert calendar.holiday_name(date(2021, 7, 5)) == "Independence and Youth Day"
    assert date(2021, 5, 15) not in calendar.holidays_in(2022)


def test_holiday_names_follow_the_chosen_language() -> None:
    french = WorkingCalendar("DZ", "Africa/Algiers", frozenset({4, 5}), holiday_language="fr")
    assert french.holiday_name(date(2021, 7, 5)) == "Fête de l'Indépendance"


def test_a_language_the_package_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match="holiday language 'de' is not available for VN"):
        WorkingCalendar("VN", "Asia/Ho_Chi_Minh", frozenset({5, 6}), holiday_language="de")


def test_working_days_between_counts_from_start_to_before_end() -> None:
    # 2021-07-01 (Thu) .. 2021-07-07 (Wed): Fri 2 and Sat 3 are weekend, Mon 5 a holiday.
    assert ALGERIA.working_days_between(date(2021, 7, 1), date(2021, 7, 8)) == 4
    # The same week in Viet Nam: only Saturday and Sunday off.
    assert VIET_NAM.working_days_between(date(2021, 7, 1), date(2021, 7, 8)) == 5
    assert ALGERIA.working_days_between(date(2021, 7, 1), date(2021, 7, 1)) == 0


def test_working_days_between_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="end 2021-07-01 is before start 2021-07-08"):
        ALGERIA.working_days_between(date(2021, 7, 8), date(2021, 7, 1))


# -------------------------------------------------------------- local days


def test_late_evening_utc_is_already_the_next_day_in_algiers() -> None:
    instant = datetime(2021, 7, 15, 23, 30, tzinfo=UTC)
    assert ALGERIA.local_date(instant) == date(2021, 7, 16)  # Algiers is UTC+1
    assert ALGERIA.is_weekend(ALGERIA.local_date(instant))


def test_five_pm_utc_is_midnight_in_ho_chi_minh_city() -> None:
    assert VIET_NAM.local_date(datetime(2021, 7, 15, 17, 0, tzinfo=UTC)) == date(2021, 7, 16)
    assert VIET_NAM.local_date(datetime(2021, 7, 15, 16, 59, tzinfo=UTC)) == date(2021, 7, 15)


def test_local_date_accepts_any_aware_offset() -> None:
    plus_seven = timezone(timedelta(hours=7))
    assert ALGERIA.local_date(datetime(2021, 7, 16, 6, 30, tzinfo=plus_seven)) == date(2021, 7, 16)
    assert ALGERIA.local_date(datetime(2021, 7, 16, 5, 59, tzinfo=plus_seven)) == date(2021, 7, 15)


def test_a_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        ALGERIA.local_date(datetime(2021, 7, 15, 23, 30))


def test_a_datetime_is_not_taken_for_a_local_day() -> None:
    with pytest.raises(TypeError, match="expected a local date"):
        ALGERIA.is_working_day(datetime(2021, 7, 15, 23, 30, tzinfo=UTC))


def test_day_bounds_are_the_utc_midnights_of_the_local_day() -> None:
    start, end = VIET_NAM.day_bounds(date(2021, 7, 16))
    assert start == datetime(2021, 7, 15, 17, 0, tzinfo=UTC)
    assert end == datetime(2021, 7, 16, 17, 0, tzinfo=UTC)
    assert start.utcoffset() == timedelta(0)


def test_a_day_with_a_daylight_saving_jump_lasts_23_hours() -> None:
    start, end = FRANCE.day_bounds(date(2021, 3, 28))
    assert start == datetime(2021, 3, 27, 23, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=23)


@given(
    st.sampled_from([ALGERIA, VIET_NAM, FRANCE]),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
)
def test_day_bounds_round_trip_through_local_date(calendar: WorkingCalendar, day: date) -> None:
    start, end = calendar.day_bounds(day)
    assert start < end
    assert calendar.local_date(start) == day
    assert calendar.local_date(end - timedelta(microseconds=1)) == day
    assert calendar.local_date(end) == day + timedelta(days=1)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"country_code": "dz"}, "country code 'dz' must be two upper-case letters"),
        ({"country_code": "DZA"}, "must be two upper-case letters"),
        ({"country_code": "XX"}, "'XX' has no public-holiday calendar"),
        ({"time_zone": "Africa/Atlantis"}, "time zone 'Africa/Atlantis' is not a known"),
        ({"weekend_days": frozenset({7})}, "weekend day 7 must be 0"),
        ({"weekend_days": frozenset(range(7))}, "cannot be all seven"),
        ({"weekend_days": {4, 5}}, "must be a frozenset"),
        ({"holiday_overrides": ((date(2021, 1, 2), "A"), (date(2021, 1, 2), "B"))}, "twice"),
        (
            {"holiday_overrides": ((datetime(2021, 1, 2, tzinfo=UTC), "A"),)},
            "is not a date",
        ),
    ],
)
def test_working_calendar_rejects_bad_fields(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "country_code": "DZ",
        "time_zone": "Africa/Algiers",
        "weekend_days": frozenset({4, 5}),
    }
    with pytest.raises(ValueError, match=message):
        WorkingCalendar(**(fields | kwargs))  # type: ignore[arg-type]


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("fri,sat", {4, 5}),
        ("Friday, Saturday", {4, 5}),
        ("4,5", {4, 5}),
        (" sat sun ", {5, 6}),
        ("fri", {4}),
    ],
)
def test_parse_weekend_days_reads_names_and_numbers(text: str, days: set[int]) -> None:
    assert parse_weekend_days(text) == frozenset(days)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fri,sta", "unknown day 'sta'"),
        ("4,7", "unknown day '7'"),
        ("  ", "none given"),
        ("mon,tue,wed,thu,fri,sat,sun", "all seven"),
    ],
)
def test_parse_weekend_days_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_weekend_days(text)
