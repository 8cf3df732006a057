"""The reporting world with alert people: a district on-call officer and helpers to
report low or plenty of stock through the real report path at a frozen clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser

from oxyflow.accounts.models import Profile, Role
from oxyflow.alerts.models import OnCallShift
from oxyflow.reporting import ingest, services
from tests.factories import create_user
from tests.reporting.conftest import NOW, TODAY, ReportingWorld, equip, report_in, submission

__all__ = [
    "NOW",
    "TODAY",
    "AlertWorld",
    "low_stock",
    "on_duty",
    "plenty",
    "report",
    "warning_stock",
]


@dataclass
class AlertWorld:
    rw: ReportingWorld
    # Duty officer of the Batna daïra (the district of CHU Batna), with a phone.
    duty: AbstractBaseUser

    @property
    def world(self) -> Any:
        return self.rw.world


@pytest.fixture
def aw(world: Any) -> AlertWorld:
    rw = equip(world)
    Profile.objects.filter(user=world.facility_staff).update(phone="+213 555 000 001")
    duty = create_user("dora", Role.COORDINATOR, region=world.batna_daira, phone="+213 555 000 002")
    return AlertWorld(rw, duty)


def on_duty(
    aw: AlertWorld, *, region: Any = None, user: Any = None, hours: int = 48
) -> OnCallShift:
    return OnCallShift.objects.create(
        region=region or aw.world.batna_daira,
        user=user or aw.duty,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=hours),
    )


def stock(cylinders: int, **changes: Any) -> services.FacilityReportIn:
    """A report of CHU Batna's census with an empty tank and ``cylinders`` full B50s:
    12 last about 4.8 h (critical), 40 about 16 h (warning)."""
    values: dict[str, Any] = {
        "lox_tanks": [services.TankLevelIn(0, "%")],
        "cylinders": [services.CylindersIn("B50", cylinders, 0)],
    }
    values.update(changes)
    return report_in(**values)


def low_stock(**changes: Any) -> services.FacilityReportIn:
    """About 4.8 h of oxygen: under the critical 8 h."""
    return stock(12, **changes)


def warning_stock(**changes: Any) -> services.FacilityReportIn:
    """About 16 h of oxygen: under the warning 24 h, above the critical 8 h."""
    return stock(40, **changes)


def plenty(**changes: Any) -> services.FacilityReportIn:
    """Days of oxygen: a 90 % tank and 30 cylinders (about 240 h)."""
    values: dict[str, Any] = {
        "lox_tanks": [services.TankLevelIn(90, "%")],
        "cylinders": [services.CylindersIn("B50", 30, 0)],
    }
    values.update(changes)
    return report_in(**values)


def report(
    aw: AlertWorld, data: services.FacilityReportIn, *, now: datetime = NOW, **sub: Any
) -> services.Outcome:
    """Submit a report for CHU Batna through the real path (ingest) at ``now``."""
    return ingest.submit_one(
        facility=aw.world.chu_batna,
        data=data,
        submission=submission(aw.world.facility_staff, now=now, **sub),
    )
