"""Each persona sees the ledger of its own sites only, in the scope layer and the admin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from oxyflow.accounts import scopes
from oxyflow.registry import models as reg
from oxyflow.stock import services
from oxyflow.stock.models import Balance, Movement, MovementKind
from tests.factories import World
from tests.stock.helpers import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(world: World, lox: reg.Product) -> dict[str, Movement]:
    """A receipt at CHU Batna, at EPH Barika and at the Vietnamese hospital, and a count
    at CHU Batna that needs review."""
    movements = {
        site.code: services.post(
            site=site, product=lox, kind=MovementKind.RECEIPT, quantity=Decimal(100), occurred_at=T0
        )
        for site in (world.chu_batna, world.eph_barika, world.bv_binh_phuoc)
    }
    count = services.reconcile_count(site=world.chu_batna, product=lox, counted=Decimal(96), at=T0)
    assert count is not None
    movements["count"] = count
    return movements


def site_codes(queryset, user) -> set[str]:  # type: ignore[no-untyped-def]
    return set(scopes.visible(queryset, user).values_list("site__code", flat=True))


def test_the_coordinator_of_batna_sees_movements_of_a_batna_facility_and_the_outsider_none(
    world: World, ledger: dict[str, Movement]
) -> None:
    assert site_codes(Movement.objects.all(), world.coordinator) == {
        "DZ-CHU-BATNA",
        "DZ-EPH-BARIKA",
    }
    assert not scopes.visible(Movement.objects.all(), world.outsider).exists()
    assert not scopes.visible(Balance.objects.all(), world.outsider).exists()


@pytest.mark.parametrize(
    ("persona", "sites"),
    [
        ("ministry", {"DZ-CHU-BATNA", "DZ-EPH-BARIKA"}),
        ("coordinator", {"DZ-CHU-BATNA", "DZ-EPH-BARIKA"}),
        ("facility_staff", {"DZ-CHU-BATNA"}),
        ("viewer", {"DZ-EPH-BARIKA"}),
        ("producer_staff", set()),
        ("outsider", set()),
    ],
)
def test_each_persona_sees_the_balances_of_its_own_sites(
    world: World, ledger: dict[str, Movement], persona: str, sites: set[str]
) -> None:
    assert site_codes(Balance.objects.all(), getattr(world, persona)) == sites


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_lists_only_movements_in_scope_and_offers_no_add_or_delete(
    world: World, ledger: dict[str, Movement]
) -> None:
    response = client_for(world.facility_staff).get(reverse("admin:stock_movement_changelist"))
    assert response.status_code == 200
    listed = {m.site.code for m in response.context["cl"].result_list}
    assert listed == {"DZ-CHU-BATNA"}
    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert actions == ["", "mark_reviewed"]
    assert reverse("admin:stock_movement_add") not in response.content.decode()
    own = reverse("admin:stock_movement_change", args=[ledger["DZ-CHU-BATNA"].pk])
    page = client_for(world.facility_staff).get(own)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # read-only
    other = reverse("admin:stock_movement_change", args=[ledger["DZ-EPH-BARIKA"].pk])
    assert client_for(world.facility_staff).get(other).status_code == 302  # not found → index
    balances = client_for(world.coordinator).get(reverse("admin:stock_balance_changelist"))
    assert balances.status_code == 200
    assert "96 kg" in balances.content.decode()


def test_the_admin_marks_movements_reviewed_only_where_the_user_may_edit(
    world: World, ledger: dict[str, Movement]
) -> None:
    count = ledger["count"]
    changelist = reverse("admin:stock_movement_changelist")
    action = {"action": "mark_reviewed", "_selected_action": [count.pk]}

    # The viewer of Barika cannot even see CHU Batna's count, let alone review it.
    client_for(world.viewer).post(changelist, action)
    count.refresh_from_db()
    assert count.needs_review

    client_for(world.facility_staff).post(changelist, action)
    count.refresh_from_db()
    assert (count.needs_review, count.reviewed_by) == (False, world.facility_staff)
    assert count.quantity == Decimal(-4)
