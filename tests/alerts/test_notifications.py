"""Sending alert messages: the webhook body, a failing SMS gateway, the task hook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from oxyflow.alerts import sms
from oxyflow.alerts.models import Alert, AlertKind, Channel, Notification, NotificationStatus
from oxyflow.alerts.notifications import send_pending
from tests.alerts.conftest import NOW, AlertWorld, low_stock, report


class Receiver(BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Receiver.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook_url() -> Iterator[str]:
    Receiver.bodies = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_the_webhook_gets_the_alert_with_its_measure_named_by_unit(
    aw: AlertWorld, webhook_url: str
) -> None:
    with override_settings(OXYFLOW_ALERT_WEBHOOK_URL=webhook_url):
        report(aw, low_stock())
    assert send_pending(now=NOW) == {"sent": 3, "failed": 0}
    [body] = Receiver.bodies
    assert body["event"] == "alert.notification"
    assert (body["site"], body["kind"], body["severity"], body["level"]) == (
        "DZ-CHU-BATNA",
        "autonomy",
        "critical",
        "facility",
    )
    assert body["autonomy_hours"] == pytest.approx(4.8, abs=0.1)
    hook = Notification.objects.get(channel=Channel.WEBHOOK)
    assert (hook.status, hook.outcome) == (NotificationStatus.SENT, "204")


class BrokenGateway:
    def send(self, number: str, text: str) -> str:
        raise sms.SmsError("operator down")


def test_a_failing_gateway_is_retried_then_given_up(aw: AlertWorld) -> None:
    report(aw, low_stock())
    with override_settings(OXYFLOW_SMS_GATEWAY=f"{__name__}.BrokenGateway"):
        for minutes in range(3):
            send_pending(now=NOW + timedelta(minutes=minutes))
    message = Notification.objects.get(channel=Channel.SMS)
    assert (message.status, message.attempts) == (NotificationStatus.FAILED, 3)
    assert message.outcome == "error: operator down"
    # The email went out on the first run; nothing is sent twice.
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert (email.status, email.attempts) == (NotificationStatus.SENT, 1)


def test_messages_are_planned_in_the_report_transaction_and_sent_by_a_task(
    aw: AlertWorld, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        report(aw, low_stock())
    alert = Alert.objects.get(kind=AlertKind.AUTONOMY)
    assert Notification.objects.filter(alert=alert, status=NotificationStatus.PENDING).count() == 2
    assert DBTaskResult.objects.filter(task_path__endswith="send_notifications").count() == 1


def test_a_gateway_that_cannot_be_imported_fails_the_system_check() -> None:
    with override_settings(OXYFLOW_SMS_GATEWAY="no.such.Gateway"):
        errors = [e.id for e in run_checks()]
    assert "oxyflow.alerts.E001" in errors
