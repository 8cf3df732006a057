"""Posting many movements at once: the same rules as :func:`services.post`, in bulk.

Daily reports arrive by the thousand (a country's facilities every morning); posting
them one by one costs a few queries each. :func:`post_many` locks every balance the
set touches in one statement, applies the movements in order in memory, refusing the
whole set if any would break a rule, and writes movements and balances with bulk
statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oxyflow.registry.models import Product, Site
from oxyflow.stock import services
from oxyflow.stock.errors import LedgerError
from oxyflow.stock.models import Balance, Movement, MovementKind, format_quantity, unit_label


@dataclass
class MovementSpec:
    """A movement to post: the arguments of :func:`services.post` as a value.

    ``reverses`` is set (and ``kind`` is a reversal) to undo an earlier movement.
    """

    site: Site
    product: Product
    kind: str
    quantity: Decimal
    occurred_at: datetime
    by: Any = None
    reason: str = ""
    source: str = ""
    needs_review: bool = False
    reverses: Movement | None = None


def _movement(spec: MovementSpec) -> Movement:
    kind = services._check_kind(spec.kind)
    if (kind == MovementKind.REVERSAL) != (spec.reverses is not None):
        raise LedgerError(
            "kind", kind.value, _("a reversal, and only a reversal, names a movement")
        )
    if spec.reverses is not None and spec.quantity != -spec.reverses.quantity:
        raise LedgerError(
            "quantity", spec.quantity, _("a reversal is the exact opposite of its movement")
        )
    movement = Movement(
        site=spec.site,
        product=spec.product,
        kind=kind,
        quantity=services._check_quantity(spec.quantity),
        unit=spec.product.unit_of_issue,
        occurred_at=services._check_time(spec.occurred_at, "occurred_at"),
        recorded_by=spec.by,
        reason=services._check_text(spec.reason, "reason").strip(),
        source=services._check_text(spec.source, "source", services.SOURCE_MAX_LENGTH).strip(),
        needs_review=bool(spec.needs_review),
        reverses=spec.reverses,
    )
    movement.check_rules()
    return movement


def post_many(specs: Sequence[MovementSpec]) -> list[Movement]:
    """Post ``specs`` in order, all or none; returns the stored movements.

    Raises ``LedgerError`` (nothing stored) on any rule :func:`services.post` enforces,
    stock that would go below zero at any step, or a movement reversed twice.
    """
    movements = [_movement(spec) for spec in specs]
    if not movements:
        return []
    pairs = sorted({(m.site_id, m.product_id) for m in movements})
    reversed_ids = [m.reverses_id for m in movements if m.reverses_id is not None]
    if len(reversed_ids) != len(set(reversed_ids)):
        raise LedgerError("reverses", reversed_ids, _("a movement is reversed only once"))
    with transaction.atomic():
        # Sites × products covers the pairs (and may lock a few more rows, harmlessly);
        # an OR of every pair costs more to build than the whole posting.
        match = Q(site_id__in={s for s, _p in pairs}, product_id__in={p for _s, p in pairs})
        existing = set(Balance.objects.filter(match).values_list("site_id", "product_id"))
        units = {m.product_id: m.unit for m in movements}
        Balance.objects.bulk_create(
            [
                Balance(site_id=s, product_id=p, quantity=Decimal(0), unit=units[p])
                for s, p in pairs
                if (s, p) not in existing
            ],
            ignore_conflicts=True,
        )
        balances = {
            (b.site_id, b.product_id): b
            for b in Balance.objects.select_for_update().filter(match).order_by("pk")
        }
        if reversed_ids and Movement.objects.filter(reverses_id__in=reversed_ids).exists():
            raise LedgerError("reverses", reversed_ids, _("a movement is reversed only once"))
        for movement in movements:
            balance = balances[(movement.site_id, movement.product_id)]
            if balance.last_movement_id is not None and balance.unit != movement.unit:
                raise LedgerError(
                    "product",
                    movement.product.code,
                    _("is counted in %(unit)s but its ledger at this site is kept in %(ledger)s")
                    % {"unit": unit_label(movement.unit), "ledger": unit_label(balance.unit)},
                )
            after = balance.quantity + movement.quantity
            if after < 0:
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
                        "unit": unit_label(balance.unit),
                    },
                )
            balance.quantity = after
            balance.unit = movement.unit
        Movement.objects.bulk_create(movements)
        for movement in movements:
            balances[(movement.site_id, movement.product_id)].last_movement = movement
        now = timezone.now()
        # One prepared statement run per row: Django's bulk_update builds a CASE per
        # field and row, which costs more than the rest of a report's posting.
        table = connection.ops.quote_name(Balance._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET quantity = %s, unit = %s, last_movement_id = %s, "
                "updated_at = %s WHERE id = %s",
                [
                    (
                        connection.ops.adapt_decimalfield_value(b.quantity, 16, 3),
                        b.unit,
                        b.last_movement.pk if b.last_movement else None,
                        connection.ops.adapt_datetimefield_value(now),
                        b.pk,
                    )
                    for b in balances.values()
                ],
            )
    return movements
