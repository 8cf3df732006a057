"""Posting to the stock ledger: the one way stock changes, for every app that moves it.

Reports post consumption and counts, shipments post transfers and receipts, producers
post production, equipment programmes post receipts and adjustments; all through the
functions here. Each posting validates the movement, locks the (site, product) balance
row, refuses a movement that would take stock below zero, and stores the movement and
the new balance in one transaction, so concurrent posts never lose an update.

Quantities are ``Decimal`` in the product's unit of issue (kg of LOX, cylinders,
devices, pieces…), at most three decimal places; times are aware datetimes. Every
refusal raises :class:`LedgerError` (field, value, rule) and stores nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from oxyflow.registry.models import Product, Site
from oxyflow.stock.errors import LedgerError
from oxyflow.stock.models import (
    QUANTITY_LIMIT,
    QUANTUM,
    Balance,
    Movement,
    MovementKind,
    format_quantity,
    unit_label,
)

__all__ = [
    "BalanceMismatch",
    "LedgerError",
    "balance",
    "balance_from_movements",
    "burn_rate",
    "check_balances",
    "mark_reviewed",
    "movements_for",
    "post",
    "post_transfer",
    "rebuild_balances",
    "reconcile_count",
    "reverse",
]

logger = logging.getLogger(__name__)

SOURCE_MAX_LENGTH = 100
SECONDS_PER_DAY = Decimal(86400)


def _exact(total: Decimal | None) -> Decimal:
    """A database sum back on the ledger's three decimals (SQLite sums in floating point)."""
    return Decimal(0).quantize(QUANTUM) if total is None else total.quantize(QUANTUM)


# --- input checks ------------------------------------------------------------------------


def _check_quantity(value: object, field: str = "quantity") -> Decimal:
    # Floats are refused: 0.1 kg typed as a float is not 0.1 kg in a decimal ledger.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise LedgerError(field, value, _("must be a decimal number"))
    quantity = Decimal(value)
    if not quantity.is_finite():
        raise LedgerError(field, value, _("must be a finite number"))
    if abs(quantity) >= QUANTITY_LIMIT:
        raise LedgerError(
            field, value, _("must be smaller than %(limit)s") % {"limit": QUANTITY_LIMIT}
        )
    if quantity != quantity.quantize(QUANTUM):
        raise LedgerError(field, value, _("has more than three decimal places"))
    return quantity


def _check_time(value: object, field: str) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise LedgerError(field, value, _("must be a date and time with its time zone"))
    return value


def _check_text(value: object, field: str, max_length: int | None = None) -> str:
    if not isinstance(value, str):
        raise LedgerError(field, value, _("must be text"))
    if "\x00" in value:
        raise LedgerError(field, value, _("contains a NUL character, which is not allowed"))
    if max_length is not None and len(value) > max_length:
        raise LedgerError(
            field, value, _("must be at most %(max)s characters") % {"max": max_length}
        )
    return value


def _check_kind(value: object) -> MovementKind:
    try:
        return MovementKind(value)
    except ValueError:
        raise LedgerError(
            "kind", value, _("must be one of %(kinds)s") % {"kinds": ", ".join(MovementKind.values)}
        ) from None


def _new_movement(
    *,
    site: Site,
    product: Product,
    kind: MovementKind,
    quantity: object,
    occurred_at: object,
    by: Any,
    reason: object,
    source: object,
    needs_review: bool = False,
) -> Movement:
    """An unsaved movement that keeps every rule it can keep on its own."""
    movement = Movement(
        site=site,
        product=product,
        kind=kind,
        quantity=_check_quantity(quantity),
        unit=product.unit_of_issue,
        occurred_at=_check_time(occurred_at, "occurred_at"),
        recorded_by=by,
        reason=_check_text(reason, "reason").strip(),
        source=_check_text(source, "source", SOURCE_MAX_LENGTH).strip(),
        needs_review=bool(needs_review),
    )
    movement.check_rules()
    return movement


# --- balances under lock -----------------------------------------------------------------


def _locked_balances(sites: Iterable[Site], product: Product) -> dict[int, Balance]:
    """The balance rows of ``product`` at ``sites``, created if missing and locked.

    Call inside ``transaction.atomic()``. Rows are created and locked in site-pk order,
    so two transfers between the same sites in opposite directions cannot deadlock.
    """
    ordered = sorted({site.pk: site for site in sites}.values(), key=lambda site: site.pk)
    for site in ordered:
        Balance.objects.get_or_create(
            site=site, product=product, defaults={"unit": product.unit_of_issue}
        )
    return {
        site.pk: Balance.objects.select_for_update().get(site=site, product=product)
        for site in ordered
    }


def _locked_balance(site: Site, product: Product) -> Balance:
    return _locked_balances([site], product)[site.pk]


def _apply(movement: Movement, balance: Balance) -> None:
    """Store ``movement`` and move the locked ``balance`` by its quantity.

    Raises ``LedgerError`` if stock would go below zero or the product's unit changed
    since its ledger at this site was started.
    """
    if balance.last_movement_id is not None and balance.unit != movement.unit:
        raise LedgerError(
            "product",
            movement.product.code,
            _("is counted in %(unit)s but its ledger at this site is kept in %(ledger)s")
            % {"unit": unit_label(movement.unit), "ledger": unit_label(balance.unit)},
        )
    after = balance.quantity + movement.quantity
    if after < 0:
        unit = unit_label(balance.unit)
        raise LedgerError(
            "quantity",
            movement.quantity,
            _(
                "would take the stock of %(product)s at %(site)s below zero: "
                "the balance is %(balance)s %(unit)s"
            )
            % {
                "product": movement.product.code,
                "site": movement.site.code,
                "balance": format_quantity(balance.quantity),
                "unit": unit,
            },
        )
    movement.save()
    balance.quantity = after
    balance.unit = movement.unit
    balance.last_movement = movement
    balance.save(update_fields=["quantity", "unit", "last_movement", "updated_at"])


# --- posting -------------------------------------------------------------------------------


def post(
    *,
    site: Site,
    product: Product,
    kind: MovementKind | str,
    quantity: Decimal,
    occurred_at: datetime,
    by: Any = None,
    reason: str = "",
    source: str = "",
    needs_review: bool = False,
) -> Movement:
    """Post one movement and update the cached balance in the same transaction.

    ``quantity`` is the signed change in the product's unit of issue: above zero for
    production, receipt and transfer in, below zero for consumption and transfer out,
    either (not zero) for an adjustment, which needs a ``reason``. ``occurred_at`` is when
    it physically happened (aware). ``source`` names what posted it
    ("facility-report:42", at most 100 characters).

    Raises ``LedgerError`` for an unknown kind or a reversal (use :func:`reverse`), a
    float, a zero or wrongly signed quantity, more than three decimals, a naive time, a
    missing reason, or a movement that would take the balance below zero.
    """
    kind = _check_kind(kind)
    if kind == MovementKind.REVERSAL:
        raise LedgerError("kind", kind.value, _("a reversal is posted with reverse()"))
    movement = _new_movement(
        site=site,
        product=product,
        kind=kind,
        quantity=quantity,
        occurred_at=occurred_at,
        by=by,
        reason=reason,
        source=source,
        needs_review=needs_review,
    )
    with transaction.atomic():
        _apply(movement, _locked_balance(site, product))
    return movement


def post_transfer(
    *,
    from_site: Site,
    to_site: Site,
    product: Product,
    quantity: Decimal,
    occurred_at: datetime,
    by: Any,
    reason: str = "",
    source: str = "",
) -> tuple[Movement, Movement]:
    """Move ``quantity`` (> 0, in the product's unit) from one site to another at once.

    Posts a transfer out at ``from_site`` and a transfer in at ``to_site`` in one
    transaction; both or neither are stored. Both legs carry the same ``source``
    (without one, a generated ``"stock-transfer:<hex>"``), so each finds the other. A
    shipment that spends days on the road posts its two legs separately with
    :func:`post`. Returns ``(transfer_out, transfer_in)``.

    Raises ``LedgerError`` for a non-positive quantity, the same site at both ends, or
    stock at ``from_site`` that would go below zero (and every :func:`post` rule).
    """
    amount = _check_quantity(quantity)
    if amount <= 0:
        raise LedgerError("quantity", quantity, _("a transfer moves a quantity above zero"))
    if from_site.pk == to_site.pk:
        raise LedgerError("to_site", to_site.code, _("must differ from the sending site"))
    source = _check_text(source, "source", SOURCE_MAX_LENGTH).strip()
    common = {
        "product": product,
        "quantity": amount,
        "occurred_at": occurred_at,
        "by": by,
        "reason": reason,
        "source": source or f"stock-transfer:{uuid.uuid4().hex}",
    }
    inward = _new_movement(site=to_site, kind=MovementKind.TRANSFER_IN, **common)
    common["quantity"] = -amount
    out = _new_movement(site=from_site, kind=MovementKind.TRANSFER_OUT, **common)
    with transaction.atomic():
        balances = _locked_balances([from_site, to_site], product)
        _apply(out, balances[from_site.pk])
        _apply(inward, balances[to_site.pk])
    return out, inward


def reverse(
    *, movement: Movement, by: Any, reason: str, occurred_at: datetime | None = None
) -> Movement:
    """Undo ``movement`` with its exact opposite, keeping both in the ledger.

    The reversal is dated ``occurred_at`` or, by default, when the reversed movement
    occurred, so balances and burn rates over past days read as if the mistake had not
    been made. It keeps the movement's ``source``, so everything a source posted still
    sums to what stands. A transfer's two legs are reversed one by one.

    Raises ``LedgerError`` without a reason, for a movement that is itself a reversal or
    is already reversed, or when undoing it would take the balance below zero (a
    receipt whose stock has since been consumed).
    """
    reason = _check_text(reason, "reason").strip()
    if not reason:
        raise LedgerError("reason", reason, _("say why the movement is reversed"))
    if occurred_at is not None:
        _check_time(occurred_at, "occurred_at")
    with transaction.atomic():
        # Every posting for this (site, product) waits on this lock, a second reversal of
        # the same movement included, so the checks below hold until commit.
        balance = _locked_balance(movement.site, movement.product)
        original = Movement.objects.select_related("site", "product").get(pk=movement.pk)
        if original.kind == MovementKind.REVERSAL:
            raise LedgerError(
                "movement",
                original.pk,
                _("is itself a reversal and cannot be reversed; post the movement again"),
            )
        done = Movement.objects.filter(reverses=original).values_list("pk", flat=True).first()
        if done is not None:
            raise LedgerError(
                "movement",
                original.pk,
                _("is already reversed by movement %(pk)s") % {"pk": done},
            )
        reversal = Movement(
            site=original.site,
            product=original.product,
            kind=MovementKind.REVERSAL,
            quantity=-original.quantity,
            unit=original.unit,
            occurred_at=occurred_at or original.occurred_at,
            recorded_by=by,
            reason=reason,
            source=original.source,
            reverses=original,
        )
        reversal.check_rules()
        _apply(reversal, balance)
    return reversal


def mark_reviewed(*, movement: Movement, by: Any, note: str = "") -> Movement:
    """Record that someone checked a movement flagged for review (a count adjustment).

    Only the review fields are written. Raises ``LedgerError`` if it was already
    reviewed.
    """
    note = _check_text(note, "review_note").strip()
    with transaction.atomic():
        current = Movement.objects.select_for_update().get(pk=movement.pk)
        if current.reviewed_at is not None:
            raise LedgerError("movement", current.pk, _("is already reviewed"))
        current.needs_review = False
        current.reviewed_by = by
        current.reviewed_at = timezone.now()
        current.review_note = note
        current.save(update_fields=["needs_review", "reviewed_by", "reviewed_at", "review_note"])
    return current


# --- reading -------------------------------------------------------------------------------


def movements_for(site: Site, product: Product) -> QuerySet[Movement]:
    """A (site, product)'s movements, oldest first; filter it further with ``scopes``."""
    return Movement.objects.of(site=site, product=product)


def balance(*, site: Site, product: Product) -> Decimal:
    """The stock now, in the product's unit of issue, from the cache (0 if never moved)."""
    stored = (
        Balance.objects.filter(site=site, product=product)
        .values_list("quantity", flat=True)
        .first()
    )
    return stored if stored is not None else Decimal(0)


def balance_from_movements(
    *, site: Site, product: Product, until: datetime | None = None
) -> Decimal:
    """The sum of a (site, product)'s movements, in its unit of issue.

    With ``until`` (aware), only movements that occurred at or before that moment: the
    stock the ledger shows for then. Raises ``LedgerError`` for a naive ``until``.
    """
    movements = Movement.objects.filter(site=site, product=product)
    if until is not None:
        movements = movements.filter(occurred_at__lte=_check_time(until, "until"))
    return _exact(movements.aggregate(total=Sum("quantity"))["total"])


@dataclass(frozen=True)
class BalanceMismatch:
    """A cached balance that disagrees with its movements (``cached`` None: no row)."""

    site_id: int
    product_id: int
    cached: Decimal | None
    ledger: Decimal


def _ledger_totals(site: Site | None) -> dict[tuple[int, int], tuple[Decimal, int]]:
    movements = Movement.objects.all()
    if site is not None:
        movements = movements.filter(site=site)
    rows = movements.values("site_id", "product_id").annotate(total=Sum("quantity"), last=Max("pk"))
    return {(r["site_id"], r["product_id"]): (_exact(r["total"]), r["last"]) for r in rows}


def check_balances(*, site: Site | None = None) -> list[BalanceMismatch]:
    """Every cached balance (of ``site``, or everywhere) that its movements contradict.

    An empty list means the cache reconciles with the ledger.
    """
    totals = _ledger_totals(site)
    cached_rows = Balance.objects.all()
    if site is not None:
        cached_rows = cached_rows.filter(site=site)
    cached = {(b.site_id, b.product_id): b.quantity for b in cached_rows}
    mismatches = []
    for key in sorted(set(totals) | set(cached)):
        ledger = totals.get(key, (Decimal(0), 0))[0]
        if cached.get(key) != ledger:
            mismatches.append(BalanceMismatch(key[0], key[1], cached.get(key), ledger))
    return mismatches


def rebuild_balances(*, site: Site | None = None) -> int:
    """Recompute every cached balance (of ``site``, or everywhere) from its movements.

    Existing rows are locked first, so posts wait until the rebuild commits. Returns
    how many rows were created or corrected; each correction is logged as a warning.
    """
    changed = 0
    with transaction.atomic():
        rows = Balance.objects.select_for_update()
        if site is not None:
            rows = rows.filter(site=site)
        existing = {(b.site_id, b.product_id): b for b in rows}
        totals = _ledger_totals(site)
        for key in sorted(set(totals) | set(existing)):
            total, last = totals.get(key, (Decimal(0), None))
            row = existing.get(key)
            if row is None:
                unit = Movement.objects.filter(pk=last).values_list("unit", flat=True).get()
                Balance.objects.create(
                    site_id=key[0],
                    product_id=key[1],
                    quantity=total,
                    unit=unit,
                    last_movement_id=last,
                )
            elif row.quantity != total or row.last_movement_id != last:
                logger.warning(
                    "Stock balance of product %s at site %s was %s, its movements sum to %s",
                    key[1],
                    key[0],
                    row.quantity,
                    total,
                )
                row.quantity = total
                row.last_movement_id = last
                row.save(update_fields=["quantity", "last_movement", "updated_at"])
            else:
                continue
            changed += 1
    return changed


# --- counts and burn rate --------------------------------------------------------------------


def reconcile_count(
    *,
    site: Site,
    product: Product,
    counted: Decimal,
    at: datetime,
    by: Any = None,
    source: str = "",
    tolerance: Decimal = Decimal(0),
) -> Movement | None:
    """Bring the ledger to a physical count of ``counted`` (unit of issue) taken at ``at``.

    The count is compared with the ledger's stock at ``at`` (movements that occurred at
    or before it; the current balance when ``at`` is after every movement). If they
    differ by more than ``tolerance``, an adjustment of (count − ledger) dated ``at`` is
    posted, flagged for review, with a reason stating both figures and the unit
    ("Count 120 cylinders differs from ledger 118 cylinders"). Returns it, or ``None``
    when the count agrees.

    Raises ``LedgerError`` for a negative count or tolerance, a naive ``at``, or an
    adjustment that would take the current balance below zero (stock consumed after
    ``at`` exceeds the count).
    """
    counted = _check_quantity(counted, "counted")
    if counted < 0:
        raise LedgerError("counted", counted, _("a count cannot be below zero"))
    tolerance = _check_quantity(tolerance, "tolerance")
    if tolerance < 0:
        raise LedgerError("tolerance", tolerance, _("cannot be below zero"))
    _check_time(at, "at")
    with transaction.atomic():
        locked = _locked_balance(site, product)
        ledger = balance_from_movements(site=site, product=product, until=at)
        difference = counted - ledger
        if abs(difference) <= tolerance:
            return None
        unit = unit_label(product.unit_of_issue)
        reason = _("Count %(counted)s %(unit)s differs from ledger %(ledger)s %(unit)s") % {
            "counted": format_quantity(counted),
            "ledger": format_quantity(ledger),
            "unit": unit,
        }
        adjustment = _new_movement(
            site=site,
            product=product,
            kind=MovementKind.ADJUSTMENT,
            quantity=difference,
            occurred_at=at,
            by=by,
            reason=reason,
            source=source,
            needs_review=True,
        )
        _apply(adjustment, locked)
    return adjustment


def burn_rate(*, site: Site, product: Product, since: datetime, until: datetime) -> Decimal:
    """Reported consumption per day over ``[since, until)``, in the unit of issue per day.

    The sum of consumption movements that occurred in the window and were not reversed,
    as a positive number, divided by the window's length in days (fractional days
    count); rounded to three decimals. Adjustments from counts are not consumption and
    are left out. This is the observed rate; the reporting app combines it with the
    census-based demand of :mod:`oxyflow.core.demand`.

    Raises ``LedgerError`` for naive times or ``until`` not after ``since``.
    """
    _check_time(since, "since")
    _check_time(until, "until")
    if until <= since:
        raise LedgerError("until", until, _("must be after since"))
    consumed = Movement.objects.filter(
        site=site,
        product=product,
        kind=MovementKind.CONSUMPTION,
        occurred_at__gte=since,
        occurred_at__lt=until,
        reversed_by__isnull=True,
    ).aggregate(total=Sum("quantity"))["total"]
    consumed = _exact(consumed)
    days = Decimal(str((until - since).total_seconds())) / SECONDS_PER_DAY
    rate = (-consumed / days).quantize(QUANTUM, rounding=ROUND_HALF_UP)
    return rate if rate else Decimal(0).quantize(QUANTUM)  # no "-0.000" when nothing burnt
