"""The ledger's rules, one behaviour per test: signs, stock never below zero, reversals,
transfers, immutability, counts, burn rate and the balance cache."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from oxyflow.registry import models as reg
from oxyflow.stock import services
from oxyflow.stock.models import Balance, Movement, MovementKind
from oxyflow.stock.services import LedgerError
from tests.factories import World
from tests.stock.helpers import T0, at

pytestmark = pytest.mark.django_db

INCOMING = [MovementKind.PRODUCTION, MovementKind.RECEIPT, MovementKind.TRANSFER_IN]
OUTGOING = [MovementKind.CONSUMPTION, MovementKind.TRANSFER_OUT]


def receive(site: reg.Site, product: reg.Product, quantity: int | str, **extra: object) -> Movement:
    extra.setdefault("occurred_at", T0)
    return services.post(
        site=site,
        product=product,
        kind=MovementKind.RECEIPT,
        quantity=Decimal(quantity),
        **extra,  # type: ignore[arg-type]
    )


def consume(site: reg.Site, product: reg.Product, quantity: int | str, **extra: object) -> Movement:
    extra.setdefault("occurred_at", at(hours=1))
    return services.post(
        site=site,
        product=product,
        kind=MovementKind.CONSUMPTION,
        quantity=-Decimal(quantity),
        **extra,  # type: ignore[arg-type]
    )


def stock(site: reg.Site, product: reg.Product) -> Decimal:
    return services.balance(site=site, product=product)


# --- posting and signs -----------------------------------------------------------------------


def test_a_receipt_adds_to_the_balance_and_stores_the_products_unit(
    world: World, cylinders: reg.Product
) -> None:
    movement = receive(world.chu_batna, cylinders, 40, source="shipment:7", by=world.coordinator)
    assert stock(world.chu_batna, cylinders) == Decimal(40)
    assert (movement.unit, movement.quantity_display) == ("cylinder", "40 cylinders")
    assert movement.recorded_by == world.coordinator
    balance = Balance.objects.get(site=world.chu_batna, product=cylinders)
    assert (balance.unit, balance.last_movement) == ("cylinder", movement)


@pytest.mark.parametrize("kind", INCOMING)
@pytest.mark.parametrize("quantity", ["-5", "0"])
def test_an_incoming_kind_refuses_a_quantity_that_is_not_above_zero(
    world: World, lox: reg.Product, kind: MovementKind, quantity: str
) -> None:
    with pytest.raises(LedgerError) as caught:
        services.post(
            site=world.chu_batna,
            product=lox,
            kind=kind,
            quantity=Decimal(quantity),
            occurred_at=T0,
        )
    assert caught.value.field == "quantity"
    assert "above zero" in caught.value.rule
    assert not Movement.objects.exists()


@pytest.mark.parametrize("kind", OUTGOING)
def test_an_outgoing_kind_refuses_a_positive_quantity(
    world: World, lox: reg.Product, kind: MovementKind
) -> None:
    receive(world.chu_batna, lox, 100)
    with pytest.raises(LedgerError) as caught:
        services.post(
            site=world.chu_batna, product=lox, kind=kind, quantity=Decimal(5), occurred_at=T0
        )
    assert caught.value.field == "quantity"
    assert "below zero" in caught.value.rule
    assert stock(world.chu_batna, lox) == Decimal(100)


def test_a_consumption_that_would_drive_stock_negative_is_refused(
    world: World, lox: reg.Product
) -> None:
    receive(world.chu_batna, lox, "250.5")
    with pytest.raises(LedgerError) as caught:
        consume(world.chu_batna, lox, 300)
    error = caught.value
    assert (error.field, error.value) == ("quantity", Decimal(-300))
    assert error.rule == (
        "would take the stock of LOX at DZ-CHU-BATNA below zero: the balance is 250.5 kg"
    )
    assert str(error) == f"quantity=-300 is invalid: {error.rule}"
    assert Movement.objects.count() == 1
    assert stock(world.chu_batna, lox) == Decimal("250.5")


def test_consuming_exactly_the_whole_stock_leaves_zero(world: World, lox: reg.Product) -> None:
    receive(world.chu_batna, lox, 80)
    consume(world.chu_batna, lox, 80)
    assert stock(world.chu_batna, lox) == 0


def test_an_adjustment_without_a_reason_is_refused(world: World, lox: reg.Product) -> None:
    with pytest.raises(LedgerError) as caught:
        services.post(
            site=world.chu_batna,
            product=lox,
            kind=MovementKind.ADJUSTMENT,
            quantity=Decimal(5),
            occurred_at=T0,
            reason="   ",
        )
    assert caught.value.field == "reason"


def test_an_adjustment_of_zero_is_refused(world: World, lox: reg.Product) -> None:
    with pytest.raises(LedgerError) as caught:
        services.post(
            site=world.chu_batna,
            product=lox,
            kind=MovementKind.ADJUSTMENT,
            quantity=Decimal(0),
            occurred_at=T0,
            reason="found a full tank",
        )
    assert caught.value.field == "quantity"


def test_an_adjustment_with_a_reason_may_add_or_take(world: World, lox: reg.Product) -> None:
    for quantity in ("12.5", "-2.5"):
        services.post(
            site=world.chu_batna,
            product=lox,
            kind=MovementKind.ADJUSTMENT,
            quantity=Decimal(quantity),
            occurred_at=T0,
            reason="gauge recalibrated",
        )
    assert stock(world.chu_batna, lox) == Decimal(10)


def test_a_naive_occurred_at_is_refused(world: World, lox: reg.Product) -> None:
    with pytest.raises(LedgerError) as caught:
        receive(world.chu_batna, lox, 10, occurred_at=datetime(2021, 7, 20, 8))
    assert caught.value.field == "occurred_at"
    assert "time zone" in caught.value.rule


@pytest.mark.parametrize(
    ("quantity", "rule"),
    [
        (5.0, "decimal number"),
        (True, "decimal number"),
        (Decimal("1.0005"), "three decimal places"),
        (Decimal("NaN"), "finite"),
        (Decimal("1e13"), "smaller than"),
    ],
)
def test_a_quantity_the_ledger_cannot_store_exactly_is_refused(
    world: World, lox: reg.Product, quantity: object, rule: str
) -> None:
    with pytest.raises(LedgerError) as caught:
        services.post(
            site=world.chu_batna,
            product=lox,
            kind=MovementKind.RECEIPT,
            quantity=quantity,  # type: ignore[arg-type]
            occurred_at=T0,
        )
    assert caught.value.field == "quantity"
    assert rule in caught.value.rule


def test_an_unknown_kind_is_refused_naming_the_kinds(world: World, lox: reg.Product) -> None:
    with pytest.raises(LedgerError) as caught:
        services.post(
            site=world.chu_batna, product=lox, kind="theft", quantity=Decimal(1), occurred_at=T0
        )
    assert caught.value.field == "kind"
    assert "consumption" in caught.value.rule


def test_a_reversal_cannot_be_posted_without_naming_its_movement(
    world: World, lox: reg.Product
) -> None:
    with pytest.raises(LedgerError) as caught:
        services.post(
            site=world.chu_batna,
            product=lox,
            kind=MovementKind.REVERSAL,
            quantity=Decimal(-1),
            occurred_at=T0,
        )
    assert caught.value.field == "kind"


def test_a_source_longer_than_its_column_is_refused(world: World, lox: reg.Product) -> None:
    with pytest.raises(LedgerError) as caught:
        receive(world.chu_batna, lox, 1, source="x" * 101)
    assert caught.value.field == "source"


def test_a_product_whose_unit_changed_cannot_continue_its_ledger(
    world: World, lox: reg.Product
) -> None:
    receive(world.chu_batna, lox, 10)
    lox.unit_of_issue = reg.UnitOfIssue.LITRE
    with pytest.raises(LedgerError) as caught:
        receive(world.chu_batna, lox, 10)
    assert caught.value.field == "product"
    assert "kg" in caught.value.rule


# --- reversals -------------------------------------------------------------------------------


def test_a_reversal_mirrors_its_movement_and_restores_the_balance(
    world: World, lox: reg.Product
) -> None:
    receive(world.chu_batna, lox, 100)
    mistake = consume(world.chu_batna, lox, 30, source="facility-report:42")
    reversal = services.reverse(movement=mistake, by=world.coordinator, reason="typed twice")
    assert stock(world.chu_batna, lox) == Decimal(100)
    assert (reversal.kind, reversal.quantity) == (MovementKind.REVERSAL, Decimal(30))
    assert reversal.reverses == mistake
    assert reversal.occurred_at == mistake.occurred_at
    assert reversal.source == "facility-report:42"
    mistake.refresh_from_db()
    assert mistake.reversed_by == reversal
    # What one source posted still sums to what stands.
    total = sum(m.quantity for m in Movement.objects.filter(source="facility-report:42"))
    assert total == 0


def test_a_movement_cannot_be_reversed_twice(world: World, lox: reg.Product) -> None:
    receipt = receive(world.chu_batna, lox, 100)
    first = services.reverse(movement=receipt, by=None, reason="wrong site")
    with pytest.raises(LedgerError) as caught:
        services.reverse(movement=receipt, by=None, reason="again")
    assert caught.value.field == "movement"
    assert f"already reversed by movement {first.pk}" in caught.value.rule
    assert Movement.objects.count() == 2


def test_a_reversal_cannot_itself_be_reversed(world: World, lox: reg.Product) -> None:
    receipt = receive(world.chu_batna, lox, 100)
    reversal = services.reverse(movement=receipt, by=None, reason="wrong site")
    with pytest.raises(LedgerError) as caught:
        services.reverse(movement=reversal, by=None, reason="undo the undo")
    assert caught.value.field == "movement"
    assert "itself a reversal" in caught.value.rule


def test_reversing_a_receipt_whose_stock_was_consumed_is_refused(
    world: World, lox: reg.Product
) -> None:
    receipt = receive(world.chu_batna, lox, 100)
    consume(world.chu_batna, lox, 80)
    with pytest.raises(LedgerError) as caught:
        services.reverse(movement=receipt, by=None, reason="wrong site")
    assert caught.value.field == "quantity"
    assert "the balance is 20 kg" in caught.value.rule
    assert stock(world.chu_batna, lox) == Decimal(20)


def test_a_reversal_must_say_why(world: World, lox: reg.Product) -> None:
    receipt = receive(world.chu_batna, lox, 100)
    with pytest.raises(LedgerError) as caught:
        services.reverse(movement=receipt, by=None, reason="")
    assert caught.value.field == "reason"


def test_a_reversal_may_be_dated_when_it_was_noticed(world: World, lox: reg.Product) -> None:
    receipt = receive(world.chu_batna, lox, 100)
    services.reverse(movement=receipt, by=None, reason="never arrived", occurred_at=at(days=2))

    def until(moment: datetime) -> Decimal:
        return services.balance_from_movements(site=world.chu_batna, product=lox, until=moment)

    assert (until(at(days=1)), until(at(days=2))) == (Decimal(100), Decimal(0))


# --- transfers -------------------------------------------------------------------------------


def test_a_transfer_moves_stock_between_two_sites_as_one_pair(
    world: World, cylinders: reg.Product
) -> None:
    receive(world.chu_batna, cylinders, 50)
    out, inward = services.post_transfer(
        from_site=world.chu_batna,
        to_site=world.eph_barika,
        product=cylinders,
        quantity=Decimal(20),
        occurred_at=at(hours=3),
        by=world.coordinator,
    )
    assert (out.kind, out.quantity, out.site) == ("transfer_out", Decimal(-20), world.chu_batna)
    assert (inward.kind, inward.quantity, inward.site) == (
        "transfer_in",
        Decimal(20),
        world.eph_barika,
    )
    assert out.source == inward.source
    assert out.source.startswith("stock-transfer:")
    assert stock(world.chu_batna, cylinders) == Decimal(30)
    assert stock(world.eph_barika, cylinders) == Decimal(20)


def test_a_transfer_beyond_the_senders_stock_stores_neither_leg(
    world: World, cylinders: reg.Product
) -> None:
    receive(world.chu_batna, cylinders, 5)
    with pytest.raises(LedgerError) as caught:
        services.post_transfer(
            from_site=world.chu_batna,
            to_site=world.eph_barika,
            product=cylinders,
            quantity=Decimal(6),
            occurred_at=T0,
            by=None,
        )
    assert "the balance is 5 cylinders" in caught.value.rule
    assert Movement.objects.count() == 1
    assert stock(world.eph_barika, cylinders) == 0


@pytest.mark.parametrize("quantity", ["0", "-3"])
def test_a_transfer_of_nothing_or_less_is_refused(
    world: World, cylinders: reg.Product, quantity: str
) -> None:
    with pytest.raises(LedgerError) as caught:
        services.post_transfer(
            from_site=world.chu_batna,
            to_site=world.eph_barika,
            product=cylinders,
            quantity=Decimal(quantity),
            occurred_at=T0,
            by=None,
        )
    assert caught.value.field == "quantity"


def test_a_transfer_to_the_sending_site_is_refused(world: World, cylinders: reg.Product) -> None:
    with pytest.raises(LedgerError) as caught:
        services.post_transfer(
            from_site=world.chu_batna,
            to_site=world.chu_batna,
            product=cylinders,
            quantity=Decimal(1),
            occurred_at=T0,
            by=None,
        )
    assert (caught.value.field, caught.value.value) == ("to_site", "DZ-CHU-BATNA")


# --- immutability ----------------------------------------------------------------------------


def test_a_posted_movement_cannot_be_changed(world: World, lox: reg.Product) -> None:
    movement = receive(world.chu_batna, lox, 100)
    movement.quantity = Decimal(1000)
    with pytest.raises(LedgerError) as caught:
        movement.save()
    assert caught.value.field == "quantity"
    with pytest.raises(LedgerError):
        movement.save(update_fields=["quantity"])
    assert Movement.objects.get(pk=movement.pk).quantity == Decimal(100)


def test_a_posted_movement_cannot_be_deleted(world: World, lox: reg.Product) -> None:
    movement = receive(world.chu_batna, lox, 100)
    with pytest.raises(LedgerError):
        movement.delete()
    with pytest.raises(LedgerError):
        Movement.objects.filter(pk=movement.pk).delete()
    assert Movement.objects.filter(pk=movement.pk).exists()


def test_bulk_updates_may_only_write_review_fields(world: World, lox: reg.Product) -> None:
    movement = receive(world.chu_batna, lox, 100)
    with pytest.raises(LedgerError) as caught:
        Movement.objects.filter(pk=movement.pk).update(quantity=Decimal(1))
    assert caught.value.field == "quantity"
    assert Movement.objects.filter(pk=movement.pk).update(review_note="seen") == 1


def test_marking_reviewed_writes_only_the_review_fields_once(
    world: World, lox: reg.Product
) -> None:
    adjustment = services.reconcile_count(
        site=world.chu_batna, product=lox, counted=Decimal(40), at=T0
    )
    assert adjustment is not None
    assert adjustment.needs_review
    reviewed = services.mark_reviewed(movement=adjustment, by=world.coordinator, note="checked")
    assert (reviewed.needs_review, reviewed.reviewed_by, reviewed.review_note) == (
        False,
        world.coordinator,
        "checked",
    )
    assert reviewed.reviewed_at is not None
    assert reviewed.quantity == Decimal(40)
    with pytest.raises(LedgerError) as caught:
        services.mark_reviewed(movement=adjustment, by=world.coordinator)
    assert "already reviewed" in caught.value.rule


def test_the_database_refuses_a_wrongly_signed_movement_written_around_the_model(
    world: World, lox: reg.Product
) -> None:
    row = Movement(
        site=world.chu_batna,
        product=lox,
        kind=MovementKind.CONSUMPTION,
        quantity=Decimal(5),
        unit="kg",
        occurred_at=T0,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Movement.objects.bulk_create([row])


def test_the_database_refuses_a_negative_cached_balance(world: World, lox: reg.Product) -> None:
    receive(world.chu_batna, lox, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.filter(site=world.chu_batna).update(quantity=Decimal(-1))


# --- counts ----------------------------------------------------------------------------------


def test_a_count_that_differs_posts_an_adjustment_flagged_for_review(
    world: World, cylinders: reg.Product
) -> None:
    receive(world.chu_batna, cylinders, 118)
    adjustment = services.reconcile_count(
        site=world.chu_batna,
        product=cylinders,
        counted=Decimal(120),
        at=at(hours=2),
        by=world.facility_staff,
        source="facility-report:9",
    )
    assert adjustment is not None
    assert (adjustment.kind, adjustment.quantity) == (MovementKind.ADJUSTMENT, Decimal(2))
    assert adjustment.reason == "Count 120 cylinders differs from ledger 118 cylinders"
    assert adjustment.needs_review
    assert (adjustment.occurred_at, adjustment.source) == (at(hours=2), "facility-report:9")
    assert stock(world.chu_batna, cylinders) == Decimal(120)


def test_a_count_within_the_tolerance_posts_nothing(world: World, lox: reg.Product) -> None:
    receive(world.chu_batna, lox, 1000)
    result = services.reconcile_count(
        site=world.chu_batna,
        product=lox,
        counted=Decimal(995),
        at=at(hours=1),
        tolerance=Decimal(5),
    )
    assert result is None
    assert Movement.objects.count() == 1


def test_a_count_is_compared_with_the_ledger_at_the_time_it_was_taken(
    world: World, lox: reg.Product
) -> None:
    receive(world.chu_batna, lox, 1000)
    consume(world.chu_batna, lox, 300, occurred_at=at(hours=6))
    # Counted at 08:30, reported after the afternoon's consumption was posted.
    adjustment = services.reconcile_count(
        site=world.chu_batna, product=lox, counted=Decimal(990), at=at(hours=0.5)
    )
    assert adjustment is not None
    assert adjustment.quantity == Decimal(-10)
    assert "ledger 1000 kg" in adjustment.reason
    assert stock(world.chu_batna, lox) == Decimal(690)


def test_a_count_that_later_movements_contradict_is_refused(world: World, lox: reg.Product) -> None:
    receive(world.chu_batna, lox, 1000)
    consume(world.chu_batna, lox, 900, occurred_at=at(hours=6))
    with pytest.raises(LedgerError) as caught:
        services.reconcile_count(
            site=world.chu_batna, product=lox, counted=Decimal(50), at=at(hours=1)
        )
    assert caught.value.field == "quantity"
    assert stock(world.chu_batna, lox) == Decimal(100)


@pytest.mark.parametrize(("field", "extra"), [("counted", {}), ("tolerance", {"counted": 1})])
def test_a_negative_count_or_tolerance_is_refused(
    world: World, lox: reg.Product, field: str, extra: dict[str, int]
) -> None:
    arguments = {"counted": Decimal(-1), "tolerance": Decimal(-1)}
    arguments.update({k: Decimal(v) for k, v in extra.items()})
    with pytest.raises(LedgerError) as caught:
        services.reconcile_count(site=world.chu_batna, product=lox, at=T0, **arguments)
    assert caught.value.field == field


# --- reading: balances over time, burn rate ---------------------------------------------------


def test_the_balance_until_a_moment_sums_the_movements_that_occurred_by_then(
    world: World, lox: reg.Product
) -> None:
    receive(world.chu_batna, lox, 1000)
    consume(world.chu_batna, lox, 400, occurred_at=at(days=1))
    consume(world.chu_batna, lox, 100, occurred_at=at(days=2))

    def until(moment: datetime | None) -> Decimal:
        return services.balance_from_movements(site=world.chu_batna, product=lox, until=moment)

    assert until(at(hours=-1)) == 0
    assert until(T0) == Decimal(1000)
    assert until(at(days=1)) == Decimal(600)
    assert until(None) == Decimal(500) == stock(world.chu_batna, lox)
    assert [m.quantity for m in services.movements_for(world.chu_batna, lox)] == [
        Decimal(1000),
        Decimal(-400),
        Decimal(-100),
    ]


def test_burn_rate_is_unreversed_consumption_per_day_in_a_half_open_window(
    world: World, lox: reg.Product
) -> None:
    receive(world.chu_batna, lox, 10000)
    consume(world.chu_batna, lox, 600, occurred_at=at(days=0, hours=2))
    consume(world.chu_batna, lox, 900, occurred_at=at(days=1, hours=2))
    mistake = consume(world.chu_batna, lox, 5000, occurred_at=at(days=1, hours=3))
    services.reverse(movement=mistake, by=None, reason="kg typed as L")
    consume(world.chu_batna, lox, 777, occurred_at=at(days=2))  # at `until`: outside
    services.post(
        site=world.chu_batna,
        product=lox,
        kind=MovementKind.ADJUSTMENT,
        quantity=Decimal(-50),
        occurred_at=at(days=1),
        reason="leak",
    )
    rate = services.burn_rate(site=world.chu_batna, product=lox, since=T0, until=at(days=2))
    assert rate == Decimal(750)


def test_burn_rate_over_a_quiet_window_is_zero(world: World, lox: reg.Product) -> None:
    rate = services.burn_rate(site=world.chu_batna, product=lox, since=T0, until=at(hours=12))
    assert rate == 0
    assert str(rate) == "0.000"


def test_burn_rate_refuses_a_window_that_ends_before_it_starts(
    world: World, lox: reg.Product
) -> None:
    with pytest.raises(LedgerError) as caught:
        services.burn_rate(site=world.chu_batna, product=lox, since=T0, until=T0)
    assert caught.value.field == "until"


# --- the cache -------------------------------------------------------------------------------


def test_rebuild_balances_repairs_a_corrupted_cache_that_check_balances_reports(
    world: World, lox: reg.Product, cylinders: reg.Product
) -> None:
    receive(world.chu_batna, lox, 500)
    consume(world.chu_batna, lox, 120)
    receive(world.eph_barika, cylinders, 30)
    assert services.check_balances() == []
    # Corrupt the cache behind the services' back: a wrong figure and a lost row.
    Balance.objects.filter(site=world.chu_batna, product=lox).update(quantity=Decimal(999))
    Balance.objects.filter(site=world.eph_barika).delete()

    mismatches = services.check_balances()
    assert mismatches == [
        services.BalanceMismatch(world.chu_batna.pk, lox.pk, Decimal(999), Decimal(380)),
        services.BalanceMismatch(world.eph_barika.pk, cylinders.pk, None, Decimal(30)),
    ]
    assert services.rebuild_balances() == 2
    assert services.check_balances() == []
    assert stock(world.chu_batna, lox) == Decimal(380)
    assert stock(world.eph_barika, cylinders) == Decimal(30)
    assert Balance.objects.get(site=world.eph_barika).unit == "cylinder"
    assert services.rebuild_balances() == 0


def test_rebuild_balances_of_one_site_leaves_the_others_alone(
    world: World, lox: reg.Product
) -> None:
    receive(world.chu_batna, lox, 500)
    receive(world.eph_barika, lox, 70)
    Balance.objects.update(quantity=Decimal(1))
    assert services.rebuild_balances(site=world.eph_barika) == 1
    assert stock(world.eph_barika, lox) == Decimal(70)
    assert stock(world.chu_batna, lox) == Decimal(1)
    assert [m.site_id for m in services.check_balances()] == [world.chu_batna.pk]
