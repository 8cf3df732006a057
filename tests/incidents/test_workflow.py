"""The incident workflow through the service: kinds and severities, every transition,
resolution, time to resolution, history, location and the region filter."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import product
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from oxyflow.incidents import services
from oxyflow.incidents.models import (
    EventKind,
    IllegalTransition,
    Incident,
    IncidentEvent,
    IncidentKind,
    IncidentStatus,
    Severity,
)
from tests.incidents.conftest import T0, IncidentWorld, commune, log, put_in

pytestmark = pytest.mark.django_db

S = IncidentStatus
LEGAL = {
    (S.OPEN, S.IN_PROGRESS),
    (S.OPEN, S.RESOLVED),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.OPEN),
}
ALL_MOVES = list(product(S, S))


@pytest.mark.parametrize("kind", IncidentKind.values)
@pytest.mark.parametrize("severity", Severity.values)
def test_every_kind_and_severity_can_be_logged(iw: IncidentWorld, kind: str, severity: str) -> None:
    incident = log(iw.world.coordinator, kind=kind, severity=severity, region=iw.world.batna)
    stored = Incident.objects.get(pk=incident.pk)
    assert (stored.kind, stored.severity, stored.status) == (kind, severity, S.OPEN)
    assert stored.get_kind_display() == IncidentKind(kind).label
    assert stored.opened_at == T0


def test_the_kinds_are_the_ministrys_obstacles() -> None:
    assert IncidentKind.values == [
        "plant_down",
        "road_blocked",
        "tanker_held",
        "installation_fault",
        "power_cut",
        "other",
    ]
    assert Severity.values == ["low", "medium", "high", "critical"]


@pytest.mark.parametrize(("current", "target"), ALL_MOVES)
def test_the_transition_table_through_the_service(
    iw: IncidentWorld, current: IncidentStatus, target: IncidentStatus
) -> None:
    incident = put_in(iw.at_chu, current, iw.world.coordinator)
    events_before = IncidentEvent.objects.filter(incident=incident).count()
    if (current, target) in LEGAL:
        moved = services.transition(
            user=iw.world.coordinator, incident=incident, to=target, resolution="Valve replaced"
        )
        assert Incident.objects.get(pk=incident.pk).status == target == moved.status
        event = IncidentEvent.objects.filter(incident=incident).last()
        assert event is not None
        assert (event.kind, event.old_value, event.new_value) == (EventKind.STATUS, current, target)
        assert event.actor == iw.world.coordinator
    else:
        with pytest.raises(IllegalTransition) as caught:
            services.transition(
                user=iw.world.coordinator, incident=incident, to=target, resolution="x"
            )
        assert str(current.label) in str(caught.value)
        assert Incident.objects.get(pk=incident.pk).status == current
        assert IncidentEvent.objects.filter(incident=incident).count() == events_before


def test_a_closed_incident_says_to_log_a_new_one(iw: IncidentWorld) -> None:
    incident = put_in(iw.at_chu, S.CLOSED, iw.world.coordinator)
    with pytest.raises(IllegalTransition, match="log a new incident"):
        services.transition(user=iw.world.ministry, incident=incident, to=S.OPEN)


@pytest.mark.parametrize("text", ["", "   \n "])
def test_resolving_requires_saying_how(iw: IncidentWorld, text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.transition(
            user=iw.world.coordinator, incident=iw.at_chu, to=S.RESOLVED, resolution=text
        )
    assert list(caught.value.message_dict) == ["resolution"]
    stored = Incident.objects.get(pk=iw.at_chu.pk)
    assert (stored.status, stored.resolved_at, stored.resolution) == (S.OPEN, None, "")


def test_time_to_resolution_runs_from_opening_to_resolution(
    iw: IncidentWorld, clock: list[Any]
) -> None:
    assert iw.at_chu.time_to_resolution is None
    clock[0] = T0 + timedelta(hours=3, minutes=20)
    assert iw.at_chu.time_open(services.now()) == timedelta(hours=3, minutes=20)
    resolved = services.transition(
        user=iw.world.coordinator, incident=iw.at_chu, to=S.RESOLVED, resolution="Valve replaced"
    )
    assert resolved.time_to_resolution == timedelta(hours=3, minutes=20)
    assert services.format_duration(resolved.time_to_resolution) == "3 h 20 min"
    assert (resolved.resolved_by, resolved.resolution) == (iw.world.coordinator, "Valve replaced")
    clock[0] = T0 + timedelta(days=2)
    assert resolved.time_open(services.now()) == timedelta(hours=3, minutes=20)


def test_reopening_clears_the_resolution_and_keeps_it_in_the_history(
    iw: IncidentWorld, clock: list[Any]
) -> None:
    clock[0] = T0 + timedelta(hours=1)
    services.transition(
        user=iw.world.coordinator, incident=iw.at_chu, to=S.RESOLVED, resolution="Patched"
    )
    clock[0] = T0 + timedelta(hours=2)
    reopened = services.transition(
        user=iw.world.coordinator, incident=iw.at_chu, to=S.OPEN, note="Leaking again"
    )
    assert (reopened.resolved_at, reopened.resolved_by, reopened.resolution) == (None, None, "")
    clock[0] = T0 + timedelta(hours=5)
    again = services.transition(
        user=iw.world.coordinator, incident=iw.at_chu, to=S.RESOLVED, resolution="Replaced"
    )
    assert again.time_to_resolution == timedelta(hours=5)
    notes = list(iw.at_chu.events.filter(kind=EventKind.STATUS).values_list("note", flat=True))
    assert notes == ["Patched", "Leaking again", "Replaced"]


@pytest.mark.parametrize(
    ("duration", "shown"),
    [
        (timedelta(seconds=59), "0 min"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=3, minutes=20), "3 h 20 min"),
        (timedelta(days=2, hours=4, minutes=59), "2 d 4 h"),
        (None, "—"),
    ],
)
def test_durations_are_shown_with_their_unit(duration: timedelta | None, shown: str) -> None:
    assert services.format_duration(duration) == shown


def test_the_history_keeps_status_assignment_and_severity_changes(
    iw: IncidentWorld, clock: list[Any]
) -> None:
    w = iw.world
    clock[0] = T0 + timedelta(minutes=5)
    services.assign(user=w.coordinator, incident=iw.at_chu, assignee=w.facility_staff)
    services.change_severity(user=w.coordinator, incident=iw.at_chu, severity=Severity.CRITICAL)
    services.transition(user=w.facility_staff, incident=iw.at_chu, to=S.IN_PROGRESS)
    rows = list(
        iw.at_chu.events.values_list("kind", "actor__username", "old_value", "new_value", "at")
    )
    later = T0 + timedelta(minutes=5)
    assert rows == [
        (EventKind.CREATED, "fatima", "", "open", T0),
        (EventKind.ASSIGNED, "carim", "", "fatima", later),
        (EventKind.SEVERITY, "carim", "high", "critical", later),
        (EventKind.STATUS, "fatima", "open", "in_progress", later),
    ]


def test_an_unchanged_assignment_or_severity_records_nothing(iw: IncidentWorld) -> None:
    w = iw.world
    services.change_severity(user=w.coordinator, incident=iw.at_chu, severity=Severity.HIGH)
    services.assign(user=w.coordinator, incident=iw.at_chu, assignee=None)
    assert iw.at_chu.events.count() == 1


def test_a_region_is_required_without_a_site(iw: IncidentWorld) -> None:
    with pytest.raises(ValidationError) as caught:
        log(iw.world.coordinator)
    assert list(caught.value.message_dict) == ["region"]


def test_a_site_incident_is_placed_in_the_sites_region_by_default(iw: IncidentWorld) -> None:
    assert iw.at_chu.region == iw.world.batna_daira
    assert iw.at_plant.region == iw.skikda


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        (Decimal("90.5"), Decimal("6"), "latitude"),
        (Decimal("-91"), Decimal("6"), "latitude"),
        (Decimal("35"), Decimal("180.1"), "longitude"),
        (Decimal("35"), None, "longitude"),
        (None, Decimal("6"), "latitude"),
    ],
)
def test_coordinates_are_checked(
    iw: IncidentWorld, latitude: Decimal | None, longitude: Decimal | None, field: str
) -> None:
    before = Incident.objects.count()
    with pytest.raises(ValidationError) as caught:
        log(iw.world.coordinator, region=iw.world.batna, latitude=latitude, longitude=longitude)
    assert field in caught.value.message_dict
    assert Incident.objects.count() == before


def test_a_retired_region_is_refused(iw: IncidentWorld) -> None:
    old = commune(iw.world.batna_daira, "DZ-05-01-99")
    old.retired_on = T0.date()
    old.save()
    with pytest.raises(ValidationError) as caught:
        log(iw.world.coordinator, region=old)
    assert list(caught.value.message_dict) == ["region"]


def test_the_location_is_the_incidents_own_else_its_first_sites_else_none(
    iw: IncidentWorld,
) -> None:
    w = iw.world
    own = log(
        w.coordinator,
        region=w.batna,
        latitude=Decimal("35.1"),
        longitude=Decimal("5.9"),
        sites=[w.chu_batna],
    )
    assert services.incident_location(own) == (35.1, 5.9)
    # Linked depot first, then CHU: the depot places it (link order, not code order).
    by_site = log(w.coordinator, sites=[w.linde_depot, w.chu_batna])
    assert services.incident_location(by_site) == (35.6, 6.2)
    assert [s.code for s in services.linked_sites(by_site)] == ["DZ-LINDE-DEPOT", "DZ-CHU-BATNA"]
    assert services.incident_location(iw.in_barika) is None


def test_open_incidents_filter_by_region_and_by_linked_site(iw: IncidentWorld) -> None:
    w = iw.world
    # Placed in Skikda, but it holds up CHU Batna's supply: it belongs to Batna too.
    tanker = log(w.ministry, kind=IncidentKind.TANKER_HELD, region=iw.skikda, sites=[w.chu_batna])
    done = log(w.coordinator, region=w.batna_daira, title="Done")
    put_in(done, S.RESOLVED, w.coordinator)
    closed = log(w.coordinator, region=w.batna_daira, title="Closed")
    put_in(closed, S.CLOSED, w.coordinator)
    in_progress = log(w.coordinator, region=commune(w.batna_daira, "DZ-05-01-01"))
    put_in(in_progress, S.IN_PROGRESS, w.coordinator)

    def ids(qs: Any) -> set[int]:
        return {i.pk for i in qs}

    everything = ids(services.open_incidents(w.ministry))
    assert everything == {iw.at_chu.pk, iw.in_barika.pk, iw.at_plant.pk, tanker.pk, in_progress.pk}
    assert ids(services.open_incidents(w.ministry, w.batna)) == {
        iw.at_chu.pk,
        iw.in_barika.pk,
        tanker.pk,
        in_progress.pk,
    }
    assert ids(services.open_incidents(w.ministry, w.barika_daira)) == {iw.in_barika.pk}
    assert ids(services.open_incidents(w.ministry, iw.skikda)) == {iw.at_plant.pk, tanker.pk}
    assert ids(services.open_incidents(w.ministry, w.binh_phuoc)) == set()
    # A region filter never widens what a user sees.
    assert ids(services.open_incidents(w.viewer, w.batna)) == {iw.in_barika.pk}


def test_open_incidents_come_most_severe_first_then_oldest(
    iw: IncidentWorld, clock: list[Any]
) -> None:
    w = iw.world
    clock[0] = T0 + timedelta(hours=1)
    later_critical = log(w.ministry, severity=Severity.CRITICAL, region=w.batna)
    order = [i.pk for i in services.open_incidents(w.ministry)]
    assert order == [iw.in_barika.pk, later_critical.pk, iw.at_chu.pk, iw.at_plant.pk]


def test_incidents_for_site_lists_its_active_incidents(iw: IncidentWorld) -> None:
    w = iw.world
    old = log(w.coordinator, sites=[w.chu_batna], title="Old")
    put_in(old, S.CLOSED, w.coordinator)
    assert [i.pk for i in services.incidents_for_site(w.coordinator, w.chu_batna)] == [iw.at_chu.pk]
    assert {
        i.pk for i in services.incidents_for_site(w.coordinator, w.chu_batna, include_resolved=True)
    } == {iw.at_chu.pk, old.pk}
    assert list(services.incidents_for_site(w.outsider, w.chu_batna)) == []
    assert list(services.incidents_for_site(w.coordinator, w.eph_barika)) == []
