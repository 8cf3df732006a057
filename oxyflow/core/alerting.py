"""Rules of the alert engine: which severity a measure calls for, when an alert escalates.

Pure functions: the figures, the thresholds and the clock come in as arguments. The
Django side (:mod:`oxyflow.alerts.engine`) reads rows, asks these functions and writes
alerts.

Severities, by condition:
- autonomy: critical under ``autonomy_critical_hours`` (8 h by default, what India's
  district dashboards were asked for), warning under ``autonomy_warning_hours`` (24 h);
- production down: warning when a producer made more than ``production_drop_pct``
  (20 %) less than its baseline, critical at twice that drop (40 %);
- report late and plausibility flags: warning.

Escalation walks a ladder of steps (0: the site's own people; then the district, the
province and the ministry that exist above the site): an alert not acknowledged moves
one step up every ``escalation_delay`` after it reached its severity. Warnings stay at
the site unless ``escalate_warnings`` is set.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final


class AlertingError(ValueError):
    """A threshold or an input breaks a rule; names the field, value and rule."""

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}={value} is invalid: {rule}")


class Severity(enum.StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


# Higher is more urgent (for comparisons: an upgrade, newest critical first).
SEVERITY_RANK: Final[dict[Severity, int]] = {Severity.WARNING: 1, Severity.CRITICAL: 2}


class Level(enum.IntEnum):
    """Who an alert has reached: the site's people, then each tier above it."""

    FACILITY = 0
    DISTRICT = 1
    PROVINCE = 2
    MINISTRY = 3


@dataclass(frozen=True)
class Thresholds:
    """One scope's alert rule.

    Hours are hours of autonomy left; ``production_drop_pct`` a percentage of the
    baseline (0–100); ``escalation_delay`` the time an alert waits at each step.
    """

    autonomy_critical_hours: float = 8.0
    autonomy_warning_hours: float = 24.0
    production_drop_pct: float = 20.0
    report_late: bool = True
    plausibility: bool = True
    escalation_delay: timedelta = timedelta(minutes=30)
    escalate_warnings: bool = False

    def __post_init__(self) -> None:
        critical, warning = self.autonomy_critical_hours, self.autonomy_warning_hours
        if not math.isfinite(critical) or critical <= 0:
            raise AlertingError("autonomy_critical_hours", critical, "must be more than 0 h")
        if not math.isfinite(warning) or warning < critical:
            raise AlertingError(
                "autonomy_warning_hours", warning, f"must be at least the critical {critical} h"
            )
        drop = self.production_drop_pct
        if not math.isfinite(drop) or not 0 < drop < 100:
            raise AlertingError("production_drop_pct", drop, "must be between 0 and 100 %")
        if self.escalation_delay <= timedelta(0):
            raise AlertingError("escalation_delay", self.escalation_delay, "must be positive")


def autonomy_severity(hours: float, thresholds: Thresholds) -> Severity | None:
    """The severity of ``hours`` of autonomy left, or ``None`` when above both thresholds.

    Raises
    ------
    AlertingError
        If ``hours`` is negative or not a number.
    """
    if not math.isfinite(hours) or hours < 0:
        raise AlertingError("hours", hours, "must be a number of hours, 0 or more")
    if hours < thresholds.autonomy_critical_hours:
        return Severity.CRITICAL
    if hours < thresholds.autonomy_warning_hours:
        return Severity.WARNING
    return None


def production_drop_pct(produced: float, baseline: float) -> float | None:
    """How far below ``baseline`` a day's production fell, in % (0 when at or above it).

    ``None`` when there is no baseline to compare with (zero or less).
    """
    if not math.isfinite(produced) or produced < 0:
        raise AlertingError("produced", produced, "must be 0 or more")
    if not math.isfinite(baseline) or baseline <= 0:
        return None
    return max(0.0, (1 - produced / baseline) * 100)


def production_severity(drop_pct: float, thresholds: Thresholds) -> Severity | None:
    """Warning when the drop exceeds the threshold, critical at twice the threshold."""
    limit = thresholds.production_drop_pct
    if drop_pct >= min(2 * limit, 100.0):
        return Severity.CRITICAL
    if drop_pct > limit:
        return Severity.WARNING
    return None


def is_upgrade(old: Severity, new: Severity) -> bool:
    return SEVERITY_RANK[new] > SEVERITY_RANK[old]


def escalation_step(
    *,
    since: datetime,
    now: datetime,
    delay: timedelta,
    top: int,
    acknowledged: bool,
    current: int = 0,
) -> int:
    """The ladder step an alert should have reached at ``now``.

    One step per full ``delay`` since ``since`` (when the alert reached its severity),
    capped at ``top`` (the highest step of the site's ladder). An acknowledged alert
    stops where it is; an alert never steps down.

    Raises
    ------
    AlertingError
        If ``delay`` is not positive, ``top`` negative, or the instants are naive.
    """
    if delay <= timedelta(0):
        raise AlertingError("delay", delay, "must be positive")
    if top < 0:
        raise AlertingError("top", top, "must be 0 or more")
    if since.tzinfo is None or now.tzinfo is None:
        raise AlertingError("now", now, "instants must carry a time zone")
    if acknowledged:
        return current
    elapsed = now - since
    steps = max(0, elapsed // delay) if elapsed > timedelta(0) else 0
    return max(current, min(top, steps))


def next_escalation_at(
    *, since: datetime, delay: timedelta, step: int, top: int
) -> datetime | None:
    """When the alert moves to the step after ``step``; ``None`` at the top of the ladder."""
    if step >= top:
        return None
    return since + delay * (step + 1)
