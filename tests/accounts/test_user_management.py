"""Coordinators manage the users of their scope; everyone manages their own tokens."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from oxyflow.accounts.models import ApiToken, Profile, Role
from tests.factories import World

pytestmark = pytest.mark.django_db
User = get_user_model()


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_coordinator_lists_only_users_of_its_scope(world: World) -> None:
    page = logged_in(world.coordinator).get(reverse("accounts:users")).content.decode()
    for name in ("fatima", "victor"):
        assert name in page
    assert "mina" not in page  # the ministry officer is above the coordinator
    assert "oscar" not in page
    # Producer staff act for their organisation nationwide: the ministry manages them.
    assert "paul" not in page
    assert "paul" in logged_in(world.ministry).get(reverse("accounts:users")).content.decode()


@pytest.mark.parametrize("persona", ["facility_staff", "producer_staff", "viewer", "outsider"])
def test_only_ministry_and_coordinators_reach_user_management(world: World, persona: str) -> None:
    assert logged_in(getattr(world, persona)).get(reverse("accounts:users")).status_code == 404


def test_coordinator_invites_facility_staff_who_receives_a_password_link(world: World) -> None:
    response = logged_in(world.coordinator).post(
        reverse("accounts:invite"),
        {
            "username": "nadia",
            "email": "nadia@chu-batna.example",
            "role": Role.FACILITY_STAFF,
            "facilities": [world.chu_batna.pk],
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user__username="nadia")
    assert list(profile.facilities.all()) == [world.chu_batna]
    assert profile.invited_by == world.coordinator
    assert not profile.user.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["nadia@chu-batna.example"]
    assert "/reset/" in message.body


def test_coordinator_cannot_invite_a_coordinator_for_another_region(world: World) -> None:
    response = logged_in(world.coordinator).post(
        reverse("accounts:invite"),
        {
            "username": "hugo",
            "email": "h@example.org",
            "role": Role.COORDINATOR,
            "region": world.binh_phuoc.pk,
        },
    )
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not User.objects.filter(username="hugo").exists()


def test_coordinator_cannot_create_a_ministry_user(world: World) -> None:
    response = logged_in(world.coordinator).post(
        reverse("accounts:invite"),
        {
            "username": "hugo",
            "email": "h@example.org",
            "role": Role.MINISTRY,
            "region": world.batna.pk,
        },
    )
    assert "role" in response.context["form"].errors


def invite_as(manager, **fields):  # type: ignore[no-untyped-def]
    data = {"username": "hugo", "email": "h@example.org", **fields}
    return logged_in(manager).post(reverse("accounts:invite"), data)


def test_coordinator_invites_only_within_and_below_its_region(world: World) -> None:
    skikda = world.algeria.region.children.get(code="DZ-21")
    # The country above the coordinator's region, Skikda beside it, Viet Nam elsewhere.
    for outside in (world.algeria.region, skikda, world.dong_xoai):
        response = invite_as(world.coordinator, role=Role.VIEWER, region=outside.pk)
        assert response.status_code == 200
        assert "region" in response.context["form"].errors
    assert not User.objects.filter(username="hugo").exists()
    for name, inside in (("hugo", world.batna), ("hana", world.barika_daira)):
        response = invite_as(world.coordinator, username=name, role=Role.VIEWER, region=inside.pk)
        assert response.status_code == 302
        assert Profile.objects.get(user__username=name).region == inside


def test_coordinator_cannot_invite_producer_staff(world: World) -> None:
    form = logged_in(world.coordinator).get(reverse("accounts:invite")).context["form"]
    assert Role.PRODUCER_STAFF not in dict(form.fields["role"].choices)
    # Linde has a depot in Batna, which would have given the invitee all its sites.
    response = invite_as(world.coordinator, role=Role.PRODUCER_STAFF, organisation=world.linde.pk)
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == [
        "Only the ministry may invite users with this role."
    ]
    assert not User.objects.filter(username="hugo").exists()


def test_ministry_invites_producer_staff_of_its_own_country_only(world: World) -> None:
    response = invite_as(world.ministry, role=Role.PRODUCER_STAFF, organisation=world.linde.pk)
    assert response.status_code == 302
    assert Profile.objects.get(user__username="hugo").organisation == world.linde
    vn_gas = world.vn_plant.organisation
    response = invite_as(
        world.ministry, username="hanh", role=Role.PRODUCER_STAFF, organisation=vn_gas.pk
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not User.objects.filter(username="hanh").exists()


def test_deactivating_a_user_blocks_login_and_revokes_tokens(world: World) -> None:
    _token, raw = ApiToken.issue(user=world.facility_staff, name="phone")
    response = logged_in(world.coordinator).post(
        reverse("accounts:set_active", args=[world.facility_staff.pk]), {"active": "0"}
    )
    assert response.status_code == 302
    world.facility_staff.refresh_from_db()
    assert world.facility_staff.is_active is False
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 401
    assert not Client().login(username="fatima", password="correct-horse-battery-staple")


def test_coordinator_cannot_touch_a_user_outside_its_scope(world: World) -> None:
    response = logged_in(world.coordinator).post(
        reverse("accounts:set_active", args=[world.ministry.pk]), {"active": "0"}
    )
    assert response.status_code == 404
    world.ministry.refresh_from_db()
    assert world.ministry.is_active


def test_password_reset_sends_a_link_to_the_users_email(world: World) -> None:
    logged_in(world.coordinator).post(reverse("accounts:reset_password", args=[world.viewer.pk]))
    [message] = mail.outbox
    assert message.to == ["victor@example.org"]


def test_a_new_token_is_shown_once_and_can_be_revoked(world: World) -> None:
    client = logged_in(world.facility_staff)
    response = client.post(reverse("accounts:tokens"), {"name": "tank sensor"})
    raw = response.context["raw"]
    assert raw.startswith("oxf_")
    assert raw not in client.get(reverse("accounts:tokens")).content.decode()
    token = ApiToken.objects.get(user=world.facility_staff)
    client.post(reverse("accounts:revoke_token", args=[token.pk]))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(world: World) -> None:
    token, _raw = ApiToken.issue(user=world.coordinator, name="mine")
    response = logged_in(world.facility_staff).post(
        reverse("accounts:revoke_token", args=[token.pk])
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_invited_user_follows_the_link_sets_a_password_and_logs_in(world: World) -> None:
    import re

    logged_in(world.coordinator).post(
        reverse("accounts:invite"),
        {
            "username": "nadia",
            "email": "nadia@chu-batna.example",
            "role": Role.FACILITY_STAFF,
            "facilities": [world.chu_batna.pk],
        },
    )
    [message] = mail.outbox
    assert "nadia" in message.body  # the username is in the text
    link = re.search(r"https?://[^/]+(/reset/\S+)", message.body).group(1)
    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Choose your password" in form_page.content.decode()
    new = "oxygen-flows-again-2021"
    done = client.post(form_page.request["PATH_INFO"], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert Client().login(username="nadia", password=new)
