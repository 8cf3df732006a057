"""Concurrent posts lose no update and never overdraw stock (PostgreSQL row locks)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from oxyflow.registry import models as reg
from oxyflow.stock import services
from oxyflow.stock.models import Movement, MovementKind
from oxyflow.stock.services import LedgerError
from tests.factories import World
from tests.stock.helpers import T0

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL's row locks (set DATABASE_URL=postgres://…); "
            f"this run uses {connection.vendor}"
        )


def run_together(work: Callable[[int], None]) -> list[Exception]:
    """Run ``work(i)`` for i in 0..THREADS-1 in threads released at once; their errors."""
    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(i)
        except Exception as exc:  # collected for the assertion in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def receive(site: reg.Site, product: reg.Product, quantity: int) -> None:
    services.post(
        site=site,
        product=product,
        kind=MovementKind.RECEIPT,
        quantity=Decimal(quantity),
        occurred_at=T0,
    )


def test_twenty_concurrent_consumptions_lose_no_update(world: World, lox: reg.Product) -> None:
    receive(world.chu_batna, lox, 1000)

    def consume(i: int) -> None:
        services.post(
            site=world.chu_batna,
            product=lox,
            kind=MovementKind.CONSUMPTION,
            quantity=Decimal("-12.5"),
            occurred_at=T0 + timedelta(minutes=i + 1),
            source=f"thread:{i}",
        )

    assert run_together(consume) == []
    assert services.balance(site=world.chu_batna, product=lox) == Decimal(750)
    assert Movement.objects.count() == THREADS + 1
    assert services.check_balances() == []


def test_concurrent_consumptions_never_overdraw_the_stock(world: World, lox: reg.Product) -> None:
    receive(world.chu_batna, lox, 10)

    def consume(i: int) -> None:
        services.post(
            site=world.chu_batna,
            product=lox,
            kind=MovementKind.CONSUMPTION,
            quantity=Decimal(-1),
            occurred_at=T0 + timedelta(minutes=i + 1),
        )

    errors = run_together(consume)
    assert len(errors) == THREADS - 10
    assert all(isinstance(error, LedgerError) for error in errors)
    assert services.balance(site=world.chu_batna, product=lox) == 0
    assert services.check_balances() == []


def test_crossing_transfers_neither_deadlock_nor_lose_stock(world: World, lox: reg.Product) -> None:
    receive(world.chu_batna, lox, 500)
    receive(world.eph_barika, lox, 500)
    sites = (world.chu_batna, world.eph_barika)

    def transfer(i: int) -> None:
        services.post_transfer(
            from_site=sites[i % 2],
            to_site=sites[1 - i % 2],
            product=lox,
            quantity=Decimal(i + 1),
            occurred_at=T0 + timedelta(minutes=i + 1),
            by=None,
        )

    assert run_together(transfer) == []
    chu = services.balance(site=world.chu_batna, product=lox)
    barika = services.balance(site=world.eph_barika, product=lox)
    assert chu + barika == Decimal(1000)
    # Even i sends from CHU (1+3+…+19 = 100), odd i from Barika (2+4+…+20 = 110).
    assert chu == Decimal(500 - 100 + 110)
    assert services.check_balances() == []
