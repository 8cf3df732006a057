"""Evaluations of one facility at once still give one alert (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from oxyflow.alerts import engine
from oxyflow.alerts.models import Alert, AlertEvent, AlertKind, EventKind, Notification
from tests.alerts.conftest import NOW, AlertWorld, low_stock, report

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL's row locks and concurrent writers (set DATABASE_URL=postgres://…); "
            f"this run uses {connection.vendor}"
        )


def test_concurrent_evaluations_of_one_facility_open_one_alert(aw: AlertWorld) -> None:
    report(aw, low_stock())
    Alert.objects.all().delete()  # start from the status alone, with no alert yet
    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            engine.evaluate_facilities([aw.world.chu_batna.pk], now=NOW)
        except Exception as exc:  # collected for the assertion in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    [alert] = Alert.objects.filter(kind=AlertKind.AUTONOMY)
    assert AlertEvent.objects.filter(alert=alert, kind=EventKind.OPENED).count() == 1
    assert Notification.objects.filter(alert=alert).count() == 2
