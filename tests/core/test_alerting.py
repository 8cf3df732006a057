"""Alert rules: severities from thresholds, escalation steps from the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oxyflow.core.alerting import (
    AlertingError,
    Severity,
    Thresholds,
    autonomy_severity,
    escalation_step,
    is_upgrade,
    next_escalation_at,
    production_drop_pct,
    production_severity,
)

T0 = datetime(2021, 8, 9, 11, 0, tzinfo=UTC)
RULE = Thresholds()


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (0.0, Severity.CRITICAL),
        (7.99, Severity.CRITICAL),
        (8.0, Severity.WARNING),
        (23.9, Severity.WARNING),
        (24.0, None),
        (240.0, None),
    ],
)
def test_autonomy_is_critical_under_8_h_and_a_warning_under_24_h(
    hours: float, expected: Severity | None
) -> None:
    assert autonomy_severity(hours, RULE) == expected


def test_a_region_may_use_its_own_thresholds() -> None:
    rule = Thresholds(autonomy_critical_hours=5, autonomy_warning_hours=12)
    assert autonomy_severity(6, rule) == Severity.WARNING
    assert autonomy_severity(4, rule) == Severity.CRITICAL
    assert autonomy_severity(13, rule) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"autonomy_critical_hours": 0}, "autonomy_critical_hours"),
        ({"autonomy_critical_hours": 10, "autonomy_warning_hours": 5}, "autonomy_warning_hours"),
        ({"production_drop_pct": 100}, "production_drop_pct"),
        ({"production_drop_pct": float("nan")}, "production_drop_pct"),
        ({"escalation_delay": timedelta(0)}, "escalation_delay"),
    ],
)
def test_it_rejects_thresholds_that_break_a_rule(changes: dict[str, object], field: str) -> None:
    with pytest.raises(AlertingError) as refused:
        Thresholds(**changes)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_it_rejects_negative_hours() -> None:
    with pytest.raises(AlertingError):
        autonomy_severity(-1, RULE)


def test_production_drop_is_measured_against_the_baseline() -> None:
    assert production_drop_pct(7000, 10000) == pytest.approx(30.0)
    assert production_drop_pct(12000, 10000) == 0.0
    assert production_drop_pct(5, 0) is None


@pytest.mark.parametrize(
    ("drop", "expected"),
    [
        (10, None),
        (20, None),
        (20.1, Severity.WARNING),
        (39.9, Severity.WARNING),
        (40, Severity.CRITICAL),
    ],
)
def test_production_down_more_than_20_pct_warns_and_twice_that_is_critical(
    drop: float, expected: Severity | None
) -> None:
    assert production_severity(drop, RULE) == expected


def test_only_a_rise_in_severity_is_an_upgrade() -> None:
    assert is_upgrade(Severity.WARNING, Severity.CRITICAL)
    assert not is_upgrade(Severity.CRITICAL, Severity.WARNING)
    assert not is_upgrade(Severity.CRITICAL, Severity.CRITICAL)


def step_at(minutes: float, *, acknowledged: bool = False, current: int = 0, top: int = 3) -> int:
    return escalation_step(
        since=T0,
        now=T0 + timedelta(minutes=minutes),
        delay=timedelta(minutes=30),
        top=top,
        acknowledged=acknowledged,
        current=current,
    )


def test_an_alert_moves_one_step_per_delay_up_to_the_top_of_its_ladder() -> None:
    assert [step_at(m) for m in (0, 29, 30, 59, 60, 90, 600)] == [0, 0, 1, 1, 2, 3, 3]
    assert step_at(600, top=2) == 2


def test_an_acknowledged_alert_stays_where_it_is() -> None:
    assert step_at(600, acknowledged=True, current=1) == 1


def test_an_alert_never_steps_down() -> None:
    assert step_at(0, current=2) == 2


def test_the_next_escalation_is_one_delay_after_the_step_reached() -> None:
    delay = timedelta(minutes=30)
    assert next_escalation_at(since=T0, delay=delay, step=0, top=3) == T0 + delay
    assert next_escalation_at(since=T0, delay=delay, step=3, top=3) is None


def test_naive_instants_are_refused() -> None:
    with pytest.raises(AlertingError):
        escalation_step(
            since=T0.replace(tzinfo=None),
            now=T0.replace(tzinfo=None),
            delay=timedelta(minutes=30),
            top=3,
            acknowledged=False,
        )


@given(
    st.floats(min_value=0, max_value=10_000),
    st.floats(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=3),
)
def test_later_is_never_a_lower_step(first: float, more: float, top: int) -> None:
    assert step_at(first, top=top) <= step_at(first + more, top=top) <= top


@given(st.floats(min_value=0, max_value=1000), st.floats(min_value=0, max_value=1000))
def test_fewer_hours_are_never_less_severe(hours: float, less: float) -> None:
    rank = {None: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}
    lower = max(hours - less, 0.0)
    assert rank[autonomy_severity(lower, RULE)] >= rank[autonomy_severity(hours, RULE)]
