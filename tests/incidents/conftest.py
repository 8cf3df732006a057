"""Incidents in the world of tests/factories.py, logged through the service, and a
fixed clock."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from oxyflow.accounts.models import ApiToken
from oxyflow.incidents import services
from oxyflow.incidents.models import Incident, IncidentKind, IncidentStatus, Severity
from oxyflow.registry import models as reg
from tests.factories import World, create_region

# A fixed clock: Monday 2021-08-09, 11:00 UTC.
T0 = datetime.fromisoformat("2021-08-09T11:00:00+00:00")


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The incidents' clock, frozen at T0; a test moves it with ``clock[0] = …``."""
    current = [T0]
    monkeypatch.setattr(services, "now", lambda: current[0])
    return current


@dataclass
class IncidentWorld:
    world: World
    skikda: reg.Region
    at_chu: Incident  # CHU Batna's manifold, logged by its staff (fatima)
    in_barika: Incident  # a road blocked in Barika, no site, logged by the coordinator
    at_plant: Incident  # Linde's Skikda plant down, logged by its staff (paul)


def log(user: Any, **fields: Any) -> Incident:
    fields.setdefault("kind", IncidentKind.OTHER)
    fields.setdefault("severity", Severity.MEDIUM)
    fields.setdefault("title", "Something in the way")
    return services.log_incident(user=user, data=services.IncidentIn(**fields))


def put_in(incident: Incident, status: str, by: Any) -> Incident:
    """Set a status directly (the state a transition starts from), with what it implies."""
    incident.status = status
    if status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        incident.resolved_at = T0 + timedelta(hours=1)
        incident.resolved_by = by
        incident.resolution = "Cleared"
    incident.save()
    return incident


@pytest.fixture
def iw(world: World) -> IncidentWorld:
    skikda = reg.Region.objects.get(code="DZ-21")
    return IncidentWorld(
        world=world,
        skikda=skikda,
        at_chu=log(
            world.facility_staff,
            kind=IncidentKind.INSTALLATION_FAULT,
            severity=Severity.HIGH,
            title="Manifold leaking",
            sites=[world.chu_batna],
        ),
        in_barika=log(
            world.coordinator,
            kind=IncidentKind.ROAD_BLOCKED,
            severity=Severity.CRITICAL,
            title="RN28 blocked by snow",
            region=world.barika_daira,
        ),
        at_plant=log(
            world.producer_staff,
            kind=IncidentKind.PLANT_DOWN,
            severity=Severity.LOW,
            title="ASU compressor tripped",
            sites=[world.linde_plant],
        ),
    )


def api_client(user: Any) -> Client:
    _token, secret = ApiToken.issue(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client: Client, url: str, data: dict[str, Any], key: str | None = None) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def page_client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def new_key() -> str:
    return str(uuid.uuid4())


def commune(parent: reg.Region, code: str) -> reg.Region:
    return create_region(code, f"Commune {code}", reg.RegionLevel.COMMUNE, parent)
