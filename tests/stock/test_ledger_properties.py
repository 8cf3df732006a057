"""Conservation of stock under any sequence of posts, transfers, reversals and counts.

A Hypothesis state machine drives the services against two facilities and two products
while a plain Python model predicts every balance and every refusal. After each step the
cache must equal the sum of the movements and the model, and no balance may be negative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import ClassVar

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from oxyflow.registry import models as reg
from oxyflow.stock import services
from oxyflow.stock.models import (
    DECREASING_KINDS,
    INCREASING_KINDS,
    Balance,
    Movement,
    MovementKind,
)
from oxyflow.stock.services import LedgerError
from tests.factories import World
from tests.stock.helpers import T0

# Up to 500 units with three decimals: exact in SQLite's floating-point sums as well.
MAGNITUDES = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(500), places=3)
COUNTS = st.decimals(min_value=Decimal(0), max_value=Decimal(800), places=3)
# Movements land on any of a week's days, out of order, as late reports do.
MOMENTS = st.integers(min_value=0, max_value=7 * 4).map(lambda q: T0 + timedelta(hours=6 * q))
POSTED_KINDS = sorted(INCREASING_KINDS | DECREASING_KINDS | {MovementKind.ADJUSTMENT})


@dataclass(frozen=True)
class Entry:
    """The model's copy of one stored movement."""

    pk: int
    key: tuple[int, int]
    kind: MovementKind
    quantity: Decimal
    occurred_at: datetime


class LedgerMachine(RuleBasedStateMachine):
    sites: ClassVar[list[reg.Site]] = []
    products: ClassVar[list[reg.Product]] = []

    movements = Bundle("movements")

    def __init__(self) -> None:
        super().__init__()
        # Each run works inside a savepoint rolled back at teardown: the next run starts
        # from the bare world without deleting movements (which the ledger refuses).
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.entries: dict[int, Entry] = {}
        self.reversed: set[int] = set()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- the model ---------------------------------------------------------------------

    def expected(self, key: tuple[int, int], until: datetime | None = None) -> Decimal:
        return sum(
            (
                e.quantity
                for e in self.entries.values()
                if e.key == key and (until is None or e.occurred_at <= until)
            ),
            Decimal(0),
        )

    def record(self, movement: Movement) -> int:
        key = (movement.site_id, movement.product_id)
        self.entries[movement.pk] = Entry(
            movement.pk,
            key,
            MovementKind(movement.kind),
            movement.quantity,
            movement.occurred_at,
        )
        return movement.pk

    def assert_refused_and_nothing_stored(self, call: Callable[[], object]) -> None:
        before = Movement.objects.count()
        with pytest.raises(LedgerError):
            call()
        assert Movement.objects.count() == before

    # --- rules -------------------------------------------------------------------------

    @rule(
        target=movements,
        site=st.integers(0, 1),
        product=st.integers(0, 1),
        kind=st.sampled_from(POSTED_KINDS),
        magnitude=MAGNITUDES,
        sign=st.sampled_from([1, -1]),
        when=MOMENTS,
    )
    def post(
        self,
        site: int,
        product: int,
        kind: MovementKind,
        magnitude: Decimal,
        sign: int,
        when: datetime,
    ) -> object:
        quantity = magnitude * sign
        key = (self.sites[site].pk, self.products[product].pk)
        wrong_sign = (kind in INCREASING_KINDS and quantity < 0) or (
            kind in DECREASING_KINDS and quantity > 0
        )

        def call() -> Movement:
            return services.post(
                site=self.sites[site],
                product=self.products[product],
                kind=kind,
                quantity=quantity,
                occurred_at=when,
                reason="stateful test",
            )

        if wrong_sign or self.expected(key) + quantity < 0:
            self.assert_refused_and_nothing_stored(call)
            return multiple()
        return self.record(call())

    @rule(
        target=movements,
        direction=st.booleans(),
        product=st.integers(0, 1),
        magnitude=MAGNITUDES,
        when=MOMENTS,
    )
    def transfer(self, direction: bool, product: int, magnitude: Decimal, when: datetime) -> object:
        sender, receiver = self.sites if direction else self.sites[::-1]
        item = self.products[product]

        def call() -> tuple[Movement, Movement]:
            return services.post_transfer(
                from_site=sender,
                to_site=receiver,
                product=item,
                quantity=magnitude,
                occurred_at=when,
                by=None,
            )

        if self.expected((sender.pk, item.pk)) < magnitude:
            self.assert_refused_and_nothing_stored(call)
            return multiple()
        out, inward = call()
        return multiple(self.record(out), self.record(inward))

    @rule(target=movements, pk=movements, later=st.booleans())
    def reverse(self, pk: int, later: bool) -> object:
        entry = self.entries[pk]
        movement = Movement.objects.get(pk=pk)
        when = entry.occurred_at + timedelta(days=1) if later else None

        def call() -> Movement:
            return services.reverse(movement=movement, by=None, reason="test", occurred_at=when)

        if (
            entry.kind == MovementKind.REVERSAL
            or pk in self.reversed
            or self.expected(entry.key) - entry.quantity < 0
        ):
            self.assert_refused_and_nothing_stored(call)
            return multiple()
        reversal = call()
        self.reversed.add(pk)
        assert reversal.quantity == -entry.quantity
        return self.record(reversal)

    @rule(
        target=movements,
        site=st.integers(0, 1),
        product=st.integers(0, 1),
        counted=COUNTS,
        tolerance=st.sampled_from([Decimal(0), Decimal(1)]),
        when=MOMENTS,
    )
    def count(
        self, site: int, product: int, counted: Decimal, tolerance: Decimal, when: datetime
    ) -> object:
        key = (self.sites[site].pk, self.products[product].pk)
        difference = counted - self.expected(key, until=when)

        def call() -> Movement | None:
            return services.reconcile_count(
                site=self.sites[site],
                product=self.products[product],
                counted=counted,
                at=when,
                tolerance=tolerance,
            )

        if abs(difference) <= tolerance:
            assert call() is None
            return multiple()
        if self.expected(key) + difference < 0:
            self.assert_refused_and_nothing_stored(call)
            return multiple()
        adjustment = call()
        assert adjustment is not None
        assert (adjustment.quantity, adjustment.needs_review) == (difference, True)
        return self.record(adjustment)

    # --- invariants --------------------------------------------------------------------

    @invariant()
    def cache_equals_ledger_equals_model_and_is_never_negative(self) -> None:
        # check_balances compares every cached row with its movements' sum; the model
        # then pins the figures themselves.
        assert services.check_balances() == []
        cached = {(b.site_id, b.product_id): b.quantity for b in Balance.objects.all()}
        for site in self.sites:
            for product in self.products:
                key = (site.pk, product.pk)
                assert cached.get(key, Decimal(0)) >= 0
                assert cached.get(key, Decimal(0)) == self.expected(key)


@pytest.mark.django_db
def test_stock_is_conserved_under_any_sequence_of_ledger_operations(
    world: World, lox: reg.Product, cylinders: reg.Product
) -> None:
    LedgerMachine.sites = [world.chu_batna, world.eph_barika]
    LedgerMachine.products = [lox, cylinders]
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
