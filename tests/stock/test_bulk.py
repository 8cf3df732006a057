"""Posting many movements at once keeps every rule of posting them one by one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oxyflow.registry import models as reg
from oxyflow.stock import bulk, services
from oxyflow.stock.models import Movement, MovementKind
from tests.factories import World
from tests.stock.helpers import at


def spec(
    site: reg.Site, product: reg.Product, kind: str, quantity: str, **extra: object
) -> bulk.MovementSpec:
    return bulk.MovementSpec(site, product, kind, Decimal(quantity), at(), **extra)  # type: ignore[arg-type]


def test_a_set_is_posted_in_order_and_balances_match_the_movements(
    world: World, lox: reg.Product
) -> None:
    chu, barika = world.chu_batna, world.eph_barika
    posted = bulk.post_many(
        [
            spec(chu, lox, MovementKind.ADJUSTMENT, "5000", reason="opening count"),
            spec(chu, lox, MovementKind.CONSUMPTION, "-800"),
            spec(barika, lox, MovementKind.RECEIPT, "1200"),
        ]
    )
    assert [m.pk is not None for m in posted] == [True, True, True]
    assert services.balance(site=chu, product=lox) == Decimal(4200)
    assert services.balance(site=barika, product=lox) == Decimal(1200)
    assert services.check_balances() == []


def test_a_set_with_one_movement_below_zero_stores_nothing(world: World, lox: reg.Product) -> None:
    chu = world.chu_batna
    services.post(
        site=chu, product=lox, kind=MovementKind.RECEIPT, quantity=Decimal(100), occurred_at=at()
    )
    with pytest.raises(services.LedgerError) as refused:
        bulk.post_many(
            [
                spec(chu, lox, MovementKind.CONSUMPTION, "-60"),
                spec(chu, lox, MovementKind.CONSUMPTION, "-60"),
            ]
        )
    assert refused.value.field == "quantity"
    assert Movement.objects.count() == 1
    assert services.balance(site=chu, product=lox) == Decimal(100)


def test_a_wrongly_signed_movement_in_a_set_is_refused(world: World, lox: reg.Product) -> None:
    with pytest.raises(services.LedgerError):
        bulk.post_many([spec(world.chu_batna, lox, MovementKind.CONSUMPTION, "5")])
    assert Movement.objects.count() == 0


def test_a_reversal_in_a_set_undoes_its_movement_once(world: World, lox: reg.Product) -> None:
    chu = world.chu_batna
    receipt = services.post(
        site=chu, product=lox, kind=MovementKind.RECEIPT, quantity=Decimal(300), occurred_at=at()
    )
    undo = spec(chu, lox, MovementKind.REVERSAL, "-300", reverses=receipt, reason="typo")
    bulk.post_many([undo])
    assert services.balance(site=chu, product=lox) == Decimal(0)
    with pytest.raises(services.LedgerError):
        bulk.post_many(
            [spec(chu, lox, MovementKind.REVERSAL, "-300", reverses=receipt, reason="again")]
        )
    assert services.check_balances() == []
