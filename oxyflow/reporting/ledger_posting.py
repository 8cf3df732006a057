"""What a producer's daily report posts to the stock ledger (facility reports: see
:mod:`oxyflow.reporting.ingest`, which plans the same rules for sets of reports).

A facility's counted stock is the truth the ledger is reconciled to:
- the first count of a product opens its balance (an adjustment, not flagged);
- a fall in stock is consumption (reported cylinders emptied, or derived from the count);
- a rise with no receipt recorded is an adjustment flagged for review, as is any
  difference between the count and what the ledger expects after reported use.
A producer posts its production; stock that left the plant beyond recorded shipments
is an adjustment (dispatches are recorded as shipments once those exist), and stock
that rose beyond reported production is flagged.

Only the latest day's report moves the ledger: a report or correction for an earlier
day than one already reported is stored for the record, but the later count stands.
A correction of the latest report reverses what its previous version posted and posts
anew.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext as _

from oxyflow.registry import models as reg
from oxyflow.reporting.models import FacilityReport, ProducerReport
from oxyflow.stock import services as ledger
from oxyflow.stock.models import Movement, MovementKind

logger = logging.getLogger(__name__)


def _source(report: FacilityReport | ProducerReport) -> str:
    prefix = "facility-report" if isinstance(report, FacilityReport) else "producer-report"
    return f"{prefix}:{report.pk}"


def _is_latest(report: FacilityReport | ProducerReport) -> bool:
    model = type(report)
    site_field = "facility" if isinstance(report, FacilityReport) else "producer"
    return (
        not model.objects.filter(
            **{site_field: getattr(report, f"{site_field}_id")},
            is_current=True,
            report_date__gt=report.report_date,
        )
        .exclude(pk=report.pk)
        .exists()
    )


def _reverse_postings(superseded: FacilityReport | ProducerReport, by: Any, reason: str) -> None:
    postings = Movement.objects.filter(
        source=_source(superseded), reversed_by__isnull=True
    ).exclude(kind=MovementKind.REVERSAL)
    for movement in postings.order_by("-pk"):
        ledger.reverse(movement=movement, by=by, reason=reason)


def _has_history(site: reg.Site, product: reg.Product) -> bool:
    return Movement.objects.filter(site=site, product=product).exists()


def post_producer_report(
    report: ProducerReport, *, superseded: ProducerReport | None, by: Any
) -> None:
    """Post a producer report's production and reconcile its stock."""
    if not _is_latest(report):
        return
    if superseded is not None:
        _reverse_postings(superseded, by, _("Corrected by version %(v)s.") % {"v": report.version})
    site = report.producer
    source = _source(report)
    at = report.as_of
    for line in report.lines.select_related("product"):
        product = line.product
        unit = product.get_unit_of_issue_display()
        if not _has_history(site, product):
            if line.stock > 0:
                ledger.post(
                    site=site,
                    product=product,
                    kind=MovementKind.ADJUSTMENT,
                    quantity=line.stock,
                    occurred_at=at,
                    by=by,
                    reason=_("Opening balance: first count reported, %(n)s %(unit)s.")
                    % {"n": line.stock, "unit": unit},
                    source=source,
                )
            continue
        if line.produced > 0:
            ledger.post(
                site=site,
                product=product,
                kind=MovementKind.PRODUCTION,
                quantity=line.produced,
                occurred_at=at,
                by=by,
                reason=_("Reported production."),
                source=source,
            )
        balance = ledger.balance(site=site, product=product)
        if line.stock < balance:
            ledger.post(
                site=site,
                product=product,
                kind=MovementKind.ADJUSTMENT,
                quantity=line.stock - balance,
                occurred_at=at,
                by=by,
                reason=_("Left the plant without a recorded shipment: %(n)s %(unit)s.")
                % {"n": balance - line.stock, "unit": unit},
                source=source,
            )
        elif line.stock > balance:
            ledger.reconcile_count(
                site=site, product=product, counted=line.stock, at=at, by=by, source=source
            )
