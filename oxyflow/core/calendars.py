"""Working calendars: which local days are weekends or public holidays, per country.

Oxygen supply never stops; the calendar only says which days are which, for shifts,
report deadlines and escalations reckoned in the site's local time. Instants are
timezone-aware ``datetime`` values (stored in UTC); days are local ``date`` values.
Public holidays come from the ``holidays`` package (python-holidays), which estimates
Islamic holidays; ``holiday_overrides`` carry the dates a ministry announces.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

_WEEKDAY_NAMES: Final = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_WEEKDAYS_BY_NAME: Final[dict[str, int]] = {
    spelling: number
    for number, name in enumerate(_WEEKDAY_NAMES)
    for spelling in (name, name[:3], str(number))
}


# No figure in OxyFlow predates this day: an earlier one is a typing slip (and day
# arithmetic near year 1 overflows).
EARLIEST_DAY: Final = date(2000, 1, 1)


@functools.cache
def _supported_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


@functools.lru_cache(maxsize=64)
def _holiday_languages(country_code: str) -> tuple[tuple[str, ...], str | None]:
    # (supported languages, the package's default language) for a country.
    calendar = holidays.country_holidays(country_code, years=())
    return tuple(calendar.supported_languages), calendar.default_language


@functools.lru_cache(maxsize=256)
def _package_holidays(
    country_code: str, year: int, language: str | None
) -> tuple[tuple[date, str], ...]:
    # Cached because is_working_day() is called day by day over long ranges; a tuple so
    # that no caller can mutate the cached value.
    calendar = holidays.country_holidays(country_code, years=year, language=language)
    return tuple(sorted(calendar.items()))


@dataclass(frozen=True)
class WorkingCalendar:
    """A country's weekend days, public holidays and time zone.

    Parameters
    ----------
    country_code
        ISO 3166-1 alpha-2 code, upper case ("DZ"), supported by the ``holidays`` package.
    time_zone
        IANA time zone name ("Africa/Algiers").
    weekend_days
        Weekday numbers, 0 = Monday … 6 = Sunday; not all seven.
    holiday_overrides
        ``(date, name)`` pairs applied over the package's holidays: a name adds or
        renames a holiday, an empty name removes one (the package *estimates* Islamic
        holidays; ministries announce the real day on sighting of the moon).
    holiday_language
        Language of holiday names ("en_US", "fr", "ar", …) among those the package has
        for the country. ``None``: "en_US" where available, else the package's default
        — never the process locale, which the package would otherwise follow.

    Raises
    ------
    ValueError
        On any invalid field, naming it.
    """

    country_code: str
    time_zone: str
    weekend_days: frozenset[int]
    holiday_overrides: tuple[tuple[date, str], ...] = ()
    holiday_language: str | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{2}", self.country_code):
            raise ValueError(
                f"country code {self.country_code!r} must be two upper-case letters "
                "(ISO 3166-1 alpha-2)"
            )
        if self.country_code not in _supported_countries():
            raise ValueError(
                f"country code {self.country_code!r} has no public-holiday calendar "
                "in the holidays package"
            )
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"time zone {self.time_zone!r} is not a known IANA zone") from None
        if not isinstance(self.weekend_days, frozenset):
            raise ValueError("weekend days must be a frozenset of weekday numbers")
        for day in self.weekend_days:
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise ValueError(f"weekend day {day!r} must be 0 (Monday) to 6 (Sunday)")
        if len(self.weekend_days) == 7:
            raise ValueError("weekend days cannot be all seven days of the week")
        seen: set[date] = set()
        for override in self.holiday_overrides:
            if not isinstance(override, tuple) or len(override) != 2:
                raise ValueError(f"holiday override {override!r} must be a (date, name) pair")
            when, name = override
            if isinstance(when, datetime) or not isinstance(when, date):
                raise ValueError(f"holiday override {override!r}: {when!r} is not a date")
            if not isinstance(name, str):
                raise ValueError(f"holiday override {override!r}: name must be a string")
            if when in seen:
                raise ValueError(f"holiday override for {when.isoformat()} is given twice")
            seen.add(when)
        languages, _ = _holiday_languages(self.country_code)
        if self.holiday_language is not None and self.holiday_language not in languages:
            raise ValueError(
                f"holiday language {self.holiday_language!r} is not available for "
                f"{self.country_code}; available: {', '.join(languages)}"
            )

    @property
    def zone(self) -> ZoneInfo:
        """The time zone as a ``ZoneInfo``."""
        return ZoneInfo(self.time_zone)

    def _language(self) -> str | None:
        if self.holiday_language is not None:
            return self.holiday_language
        languages, default = _holiday_languages(self.country_code)
        return "en_US" if "en_US" in languages else default

    def holidays_in(self, year: int) -> dict[date, str]:
        """Public holidays of ``year``: date → name, overrides applied."""
        result = dict(_package_holidays(self.country_code, year, self._language()))
        for when, name in self.holiday_overrides:
            if when.year != year:
                continue
            if name.strip():
                result[when] = name.strip()
            else:
                result.pop(when, None)
        return dict(sorted(result.items()))

    def is_weekend(self, day: date) -> bool:
        """Whether the local ``day`` is a weekend day.

        Raises
        ------
        TypeError
            If given a ``datetime``: convert an instant with :meth:`local_date` first.
        """
        return _require_date(day).weekday() in self.weekend_days

    def holiday_name(self, day: date) -> str | None:
        """Name of the public holiday on the local ``day``, or ``None``.

        Raises
        ------
        TypeError
            If given a ``datetime``.
        """
        day = _require_date(day)
        return self.holidays_in(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """Whether the local ``day`` is neither a weekend day nor a public holiday.

        Raises
        ------
        TypeError
            If given a ``datetime``.
        """
        return not self.is_weekend(day) and self.holiday_name(day) is None

    def local_date(self, instant: datetime) -> date:
        """The local calendar day on which ``instant`` falls.

        Raises
        ------
        ValueError
            If ``instant`` is a naive datetime (no time zone).
        """
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"naive datetime {instant.isoformat()}: give a timezone-aware one")
        return instant.astimezone(self.zone).date()

    def day_bounds(self, local_day: date) -> tuple[datetime, datetime]:
        """UTC instants ``[start, end)`` of the local day: its midnight and the next.

        A local day lasts 23 or 25 hours on a daylight-saving change.

        Raises
        ------
        TypeError
            If given a ``datetime``.
        """
        local_day = _require_date(local_day)
        # For a midnight skipped by a DST jump, fold=0 resolves to the offset before the
        # jump, which is exactly the first instant of the new day.
        start = datetime.combine(local_day, time(0), tzinfo=self.zone)
        end = datetime.combine(local_day + timedelta(days=1), time(0), tzinfo=self.zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days from ``start`` (included) to ``end`` (excluded).

        Raises
        ------
        ValueError
            If ``end`` is before ``start``.
        TypeError
            If given a ``datetime``.
        """
        start, end = _require_date(start), _require_date(end)
        if end < start:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        return sum(
            self.is_working_day(start + timedelta(days=offset))
            for offset in range((end - start).days)
        )


def _require_date(day: date) -> date:
    # A datetime is a date subclass; taking its .date() would silently use the instant's
    # own offset (often UTC) instead of the calendar's local day.
    if isinstance(day, datetime):
        raise TypeError(f"expected a local date, got datetime {day.isoformat()}")
    return day


def parse_weekend_days(text: str) -> frozenset[int]:
    """Parse weekend days such as ``"fri,sat"``, ``"Friday Saturday"`` or ``"4,5"``.

    Names (full or three letters, any case) or numbers 0 = Monday … 6 = Sunday,
    separated by commas and/or spaces.

    Raises
    ------
    ValueError
        If the text is empty, names an unknown day, or lists all seven days.
    """
    tokens = [token for token in re.split(r"[,\s]+", text.strip().lower()) if token]
    if not tokens:
        raise ValueError("weekend days: none given; use e.g. 'fri,sat' or '4,5'")
    days: set[int] = set()
    for token in tokens:
        if token not in _WEEKDAYS_BY_NAME:
            raise ValueError(
                f"weekend days {text!r}: unknown day {token!r}; "
                "use mon … sun or 0 (Monday) … 6 (Sunday)"
            )
        days.add(_WEEKDAYS_BY_NAME[token])
    if len(days) == 7:
        raise ValueError(f"weekend days {text!r}: cannot be all seven days of the week")
    return frozenset(days)


# Algeria moved its weekend from Thursday-Friday to Friday-Saturday in August 2009.
ALGERIA: Final = WorkingCalendar("DZ", "Africa/Algiers", frozenset({4, 5}))
# Viet Nam: Saturday-Sunday, the 40-hour civil-service week of Decision 188/1999/QĐ-TTg.
VIET_NAM: Final = WorkingCalendar("VN", "Asia/Ho_Chi_Minh", frozenset({5, 6}))
