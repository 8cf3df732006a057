"""Who sees, logs, assigns, moves and comments on which incident, per persona.

mina: ministry (Algeria) · carim: coordinator of Batna · fatima: staff of CHU Batna ·
paul: staff of Linde (plant in Skikda, depot in Batna) · victor: viewer of Barika ·
oscar: no role. Incidents: ``at_chu`` (logged by fatima at CHU Batna), ``in_barika``
(a road in Barika, no site, logged by carim), ``at_plant`` (Linde's Skikda plant, logged
by paul; Skikda is outside Batna, but the plant supplies CHU Batna).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from oxyflow.accounts import scopes
from oxyflow.incidents import services
from oxyflow.incidents.models import Incident, IncidentComment, IncidentStatus
from tests.factories import create_user
from tests.incidents.conftest import IncidentWorld, log, page_client, put_in

pytestmark = pytest.mark.django_db

PERSONAS = ["ministry", "coordinator", "facility_staff", "producer_staff", "viewer", "outsider"]
INCIDENTS = ["at_chu", "in_barika", "at_plant"]


def persona(iw: IncidentWorld, name: str) -> Any:
    return getattr(iw.world, name)


SEES = {
    "ministry": {"at_chu", "in_barika", "at_plant"},
    "coordinator": {"at_chu", "in_barika", "at_plant"},  # the plant as a supplier
    "facility_staff": {"at_chu"},
    "producer_staff": {"at_plant"},
    "viewer": {"in_barika"},
    "outsider": set(),
}
MANAGES = {
    "ministry": {"at_chu", "in_barika", "at_plant"},
    "coordinator": {"at_chu", "in_barika"},  # not the Skikda plant: another province's
    "facility_staff": set(),
    "producer_staff": set(),
    "viewer": set(),
    "outsider": set(),
}
COMMENTS = {**SEES, "viewer": set()}


@pytest.mark.parametrize("who", PERSONAS)
def test_who_sees_which_incident(iw: IncidentWorld, who: str) -> None:
    user = persona(iw, who)
    seen = {name for name in INCIDENTS if getattr(iw, name) in services.visible_incidents(user)}
    assert seen == SEES[who]


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("name", INCIDENTS)
def test_the_detail_page_answers_404_to_whoever_does_not_see_it(
    iw: IncidentWorld, who: str, name: str
) -> None:
    incident = getattr(iw, name)
    response = page_client(persona(iw, who)).get(f"/incidents/{incident.pk}/")
    assert response.status_code == (200 if name in SEES[who] else 404)


def test_a_reporter_keeps_seeing_what_they_logged_without_a_site(iw: IncidentWorld) -> None:
    w = iw.world
    road = log(w.facility_staff, region=w.batna_daira, title="Access road flooded")
    assert road in services.visible_incidents(w.facility_staff)
    # The scope rule alone does not reach it (it does not know the user) …
    assert not scopes.can_view(w.facility_staff, road)
    # … and other staff do not see it.
    colleague = create_user("farid", "facility_staff", facilities=[w.eph_barika])
    assert road not in services.visible_incidents(colleague)


def test_a_user_who_loses_their_role_no_longer_sees_what_they_logged(iw: IncidentWorld) -> None:
    user = iw.world.facility_staff
    user.profile.delete()
    user = type(user).objects.get(pk=user.pk)
    assert list(services.visible_incidents(user)) == []


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("name", INCIDENTS)
def test_who_may_assign_regrade_close_and_reopen(iw: IncidentWorld, who: str, name: str) -> None:
    user, incident = persona(iw, who), getattr(iw, name)
    assert services.can_manage(user, incident) == (name in MANAGES[who])
    if name in MANAGES[who]:
        services.assign(user=user, incident=incident, assignee=user)
        services.change_severity(user=user, incident=incident, severity="critical")
        put_in(incident, IncidentStatus.RESOLVED, user)
        services.transition(user=user, incident=incident, to=IncidentStatus.CLOSED)
        assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.CLOSED
    else:
        for action in (
            lambda: services.assign(user=user, incident=incident, assignee=None),
            lambda: services.change_severity(user=user, incident=incident, severity="low"),
            lambda: services.transition(user=user, incident=incident, to="in_progress"),
        ):
            with pytest.raises(PermissionDenied):
                action()
        assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.OPEN


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("name", INCIDENTS)
def test_who_may_comment(iw: IncidentWorld, who: str, name: str) -> None:
    user, incident = persona(iw, who), getattr(iw, name)
    if name in COMMENTS[who]:
        services.comment(user=user, incident=incident, text="On our way")
        assert IncidentComment.objects.filter(incident=incident, author=user).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.comment(user=user, incident=incident, text="On our way")
        assert not IncidentComment.objects.filter(author=user).exists()


def test_the_assignee_may_start_and_resolve_but_not_close(iw: IncidentWorld) -> None:
    w = iw.world
    incident = services.assign(user=w.coordinator, incident=iw.at_chu, assignee=w.facility_staff)
    assert services.allowed_targets(w.facility_staff, incident) == [
        IncidentStatus.IN_PROGRESS,
        IncidentStatus.RESOLVED,
    ]
    services.transition(user=w.facility_staff, incident=iw.at_chu, to="in_progress")
    incident = services.transition(
        user=w.facility_staff, incident=iw.at_chu, to="resolved", resolution="Valve replaced"
    )
    assert services.allowed_targets(w.facility_staff, incident) == []
    assert services.allowed_targets(w.coordinator, incident) == [
        IncidentStatus.OPEN,
        IncidentStatus.CLOSED,
    ]
    with pytest.raises(PermissionDenied):
        services.transition(user=w.facility_staff, incident=iw.at_chu, to="closed")
    with pytest.raises(PermissionDenied):
        services.transition(user=w.facility_staff, incident=iw.at_chu, to="open")
    services.transition(user=w.coordinator, incident=iw.at_chu, to="closed")
    assert Incident.objects.get(pk=iw.at_chu.pk).status == IncidentStatus.CLOSED


def test_staff_who_are_not_assigned_may_not_move_it(iw: IncidentWorld) -> None:
    with pytest.raises(PermissionDenied):
        services.transition(user=iw.world.facility_staff, incident=iw.at_chu, to="in_progress")


def test_only_users_who_see_it_and_may_act_can_be_assigned(iw: IncidentWorld) -> None:
    w = iw.world
    assert [u.username for u in services.assignable_users(iw.at_chu)] == [
        "carim",
        "fatima",
        "mina",
    ]
    assert [u.username for u in services.assignable_users(iw.at_plant)] == ["mina", "paul"]
    barika_viewer_colleague = create_user("vera", "viewer", region=w.batna)
    for refused in (w.viewer, w.producer_staff, w.outsider, barika_viewer_colleague):
        with pytest.raises(ValidationError) as caught:
            services.assign(user=w.coordinator, incident=iw.at_chu, assignee=refused)
        assert list(caught.value.message_dict) == ["assignee"]
    w.facility_staff.is_active = False
    w.facility_staff.save()
    with pytest.raises(ValidationError):
        services.assign(user=w.coordinator, incident=iw.at_chu, assignee=w.facility_staff)
    assert Incident.objects.get(pk=iw.at_chu.pk).assigned_to is None


# --- who may log where ------------------------------------------------------------------

LOG_CASES = [
    # (persona, what is logged, allowed?, field refused)
    ("ministry", {"region": "batna"}, True, None),
    ("ministry", {"region": "dong_xoai"}, False, "region"),
    ("coordinator", {"region": "barika_daira"}, True, None),
    ("coordinator", {"region": "skikda"}, False, "region"),
    ("coordinator", {"sites": ["linde_plant"]}, True, None),  # its supplier's plant
    ("coordinator", {"sites": ["bv_binh_phuoc"]}, False, "sites"),
    ("facility_staff", {"sites": ["chu_batna"]}, True, None),
    ("facility_staff", {"region": "batna_daira"}, True, None),
    ("facility_staff", {"region": "barika_daira"}, False, "region"),
    ("facility_staff", {"region": "batna"}, False, "region"),
    ("facility_staff", {"sites": ["eph_barika"]}, False, "sites"),
    ("producer_staff", {"sites": ["linde_plant"]}, True, None),
    ("producer_staff", {"region": "barika_daira"}, True, None),  # a tanker held anywhere
    ("producer_staff", {"region": "dong_xoai"}, False, "region"),
    ("producer_staff", {"sites": ["chu_batna"]}, False, "sites"),
]


@pytest.mark.parametrize(("who", "where", "allowed", "field"), LOG_CASES)
def test_who_may_log_where(
    iw: IncidentWorld, who: str, where: dict[str, Any], allowed: bool, field: str | None
) -> None:
    w = iw.world
    places = {"skikda": iw.skikda}
    fields: dict[str, Any] = {}
    if "region" in where:
        fields["region"] = places.get(where["region"]) or getattr(w, where["region"])
    if "sites" in where:
        fields["sites"] = [getattr(w, s) for s in where["sites"]]
    before = Incident.objects.count()
    if allowed:
        incident = log(persona(iw, who), **fields)
        assert incident in services.visible_incidents(persona(iw, who))
    else:
        with pytest.raises(ValidationError) as caught:
            log(persona(iw, who), **fields)
        assert list(caught.value.message_dict) == [field]
        assert Incident.objects.count() == before


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_viewers_and_outsiders_may_not_log(iw: IncidentWorld, who: str) -> None:
    before = Incident.objects.count()
    with pytest.raises(PermissionDenied):
        log(persona(iw, who), region=iw.world.barika_daira)
    assert Incident.objects.count() == before
    assert page_client(persona(iw, who)).get("/incidents/new/").status_code == 403
