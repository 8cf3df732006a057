"""Store facility reports in sets: one report or a national batch, the same rules.

Every facility report — from the phone form, the API, a file upload or a batch from a
national system — is stored here. Work is done per set, not per report: the catalogue,
tanks, earlier reports, balances and statuses of all the facilities concerned are read
in a handful of queries, each report is validated and its ledger postings and
autonomy worked out in memory, and everything is written with bulk statements in one
transaction. A batch of 500 reports costs about as many queries as one.

Reports of one facility within a set are applied in order ("waves"): the k-th report
of a facility in the set is stored after its (k-1)-th, so a correction in the same
batch supersedes the report before it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.alerts import engine as alert_engine
from oxyflow.core import reporting as rules
from oxyflow.core import units
from oxyflow.core.demand import Census, census_demand
from oxyflow.dashboard import snapshots
from oxyflow.registry import models as reg
from oxyflow.reporting import services, status
from oxyflow.reporting.models import (
    FacilityReport,
    FacilityReportCylinders,
    FacilityReportTank,
    FacilityStatus,
)
from oxyflow.stock import bulk
from oxyflow.stock.errors import LedgerError
from oxyflow.stock.models import Balance, Movement, MovementKind

logger = logging.getLogger(__name__)

# Earlier reports read per facility: enough for the calibration and the previous day.
HISTORY_DAYS = status.CALIBRATION_REPORTS + 2
NM3_PER_KG = units.to_magnitude(units.lox_mass_to_gas_volume(units.Quantity(1.0, "kg")), "Nm3")


@dataclass(frozen=True)
class FacilityItem:
    """One report to store: for which facility, the figures as typed, who sends it."""

    facility: reg.Facility
    data: services.FacilityReportIn
    submission: services.Submission


@dataclass
class ItemOutcome:
    """What became of one item: stored (``created``), replayed, refused or forbidden."""

    report: FacilityReport | None = None
    created: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)
    forbidden: bool = False

    @property
    def flags(self) -> list[dict[str, Any]]:
        return list(self.report.flags) if self.report is not None else []


@dataclass
class _Catalogue:
    cylinder_types: dict[str, reg.CylinderType]
    lox: reg.Product | None
    cylinder_products: dict[int, reg.Product]

    @classmethod
    def load(cls) -> _Catalogue:
        products = list(reg.Product.objects.filter(kind__in=["lox", "cylinder"]).order_by("code"))
        return cls(
            cylinder_types={t.code: t for t in reg.CylinderType.objects.all()},
            lox=next((p for p in products if p.kind == reg.ProductKind.LOX), None),
            cylinder_products={p.cylinder_type_id: p for p in products if p.cylinder_type_id},
        )


@dataclass
class _Valid:
    index: int
    item: FacilityItem
    figures: services._FacilityFigures
    as_of: datetime
    census_nm3_per_day: Decimal
    notes: str
    reported_by: str
    reason: str


@dataclass
class _Stored:
    """A current report as the batch knows it: the row and its stock lines."""

    report: FacilityReport
    tanks: dict[int, Decimal]  # tank id → level kg
    cylinders: list[tuple[reg.CylinderType, int]]


@dataclass
class _State:
    """What the batch knows of each facility, kept up to date as reports are applied."""

    current: dict[int, list[_Stored]]  # facility id → current reports, newest day first
    balances: dict[tuple[int, int], Decimal]  # (site, product) → stock, where moved before
    concentrators: dict[int, list[reg.FacilityConcentrators]]  # facility id → groups


# ------------------------------------------------------------------------- validation


def _validate(
    index: int, item: FacilityItem, catalogue: _Catalogue, tanks: list[reg.LoxTank], now: datetime
) -> _Valid | dict[str, list[str]]:
    errors = services._Errors()
    submission = item.submission
    services._check_key(errors, submission.key)
    as_of = services._check_when(errors, item.facility, item.data.report_date, item.data.as_of, now)
    figures = services._validate_facility(
        errors, item.facility, item.data, tanks, catalogue.cylinder_types
    )
    notes = services._check_text(errors, "notes", item.data.notes)
    reported_by = services._check_text(errors, "reported_by_name", submission.reported_by_name, 200)
    reason = services._check_text(errors, "correction_reason", submission.correction_reason)
    if errors.items:
        return errors.items
    census = Census(
        figures.counts["patients_low_flow"] or 0,
        figures.counts["patients_high_flow"] or 0,
        figures.counts["patients_ventilated"] or 0,
    )
    demand = census_demand(census)
    return _Valid(
        index,
        item,
        figures,
        as_of,
        Decimal(str(round(demand.nm3_per_day, 3))),
        notes,
        reported_by,
        reason,
    )


# ---------------------------------------------------------------------------- loading


def _load_state(facility_ids: set[int], since: date, catalogue: _Catalogue) -> _State:
    reports = list(
        FacilityReport.objects.filter(
            facility_id__in=facility_ids, is_current=True, report_date__gte=since
        ).order_by("facility_id", "-report_date")
    )
    tank_rows: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in FacilityReportTank.objects.filter(report__in=reports).values_list(
        "report_id", "tank_id", "level_kg"
    ):
        tank_rows[row[0]][row[1]] = row[2]
    cylinder_rows: dict[int, list[tuple[reg.CylinderType, int]]] = defaultdict(list)
    by_id = {t.pk: t for t in catalogue.cylinder_types.values()}
    for report_id, type_id, full in FacilityReportCylinders.objects.filter(
        report__in=reports
    ).values_list("report_id", "cylinder_type_id", "full"):
        cylinder_rows[report_id].append((by_id[type_id], full))
    current: dict[int, list[_Stored]] = defaultdict(list)
    for report in reports:
        current[report.facility_id].append(
            _Stored(report, tank_rows.get(report.pk, {}), cylinder_rows.get(report.pk, []))
        )
    products = [p.pk for p in catalogue.cylinder_products.values()]
    if catalogue.lox is not None:
        products.append(catalogue.lox.pk)
    balances = {
        (b.site_id, b.product_id): b.quantity
        for b in Balance.objects.filter(
            site_id__in=facility_ids, product_id__in=products, last_movement__isnull=False
        )
    }
    concentrators: dict[int, list[reg.FacilityConcentrators]] = defaultdict(list)
    for group in reg.FacilityConcentrators.objects.filter(facility_id__in=facility_ids):
        concentrators[group.facility_id].append(group)
    return _State(current, balances, concentrators)


def _lock_sites(facility_ids: Iterable[int]) -> None:
    # One writer per site at a time, in a stable order (no deadlock between batches):
    # versions of a site-day are numbered in order and counts see earlier postings.
    list(
        reg.Site.objects.select_for_update()
        .filter(pk__in=sorted(facility_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# ----------------------------------------------------------------------- the ledger


def _unit_label(unit: str) -> str:
    return str(reg.UnitOfIssue(unit).label)


def _plan_count(
    state: _State,
    *,
    site: reg.Facility,
    product: reg.Product,
    counted: Decimal,
    used: Decimal | None,
    at: datetime,
    by: Any,
    reason_opening: str,
) -> tuple[list[bulk.MovementSpec], Decimal | None]:
    """Movements that bring one product's ledger to a count; and what was consumed.

    Consumed is ``None`` when it cannot be known: the product had no ledger yet (the
    count opens it), or the stock rose with no use reported (a delivery the ledger has
    not seen hides what was used meanwhile).
    """
    key = (site.pk, product.pk)
    unit = _unit_label(product.unit_of_issue)
    balance = state.balances.get(key)
    specs: list[bulk.MovementSpec] = []

    def spec(kind: str, quantity: Decimal, reason: str, review: bool = False) -> None:
        specs.append(
            bulk.MovementSpec(
                site=site,
                product=product,
                kind=kind,
                quantity=quantity,
                occurred_at=at,
                by=by,
                reason=reason,
                needs_review=review,
            )
        )

    if balance is None:
        if counted > 0:
            spec(
                MovementKind.ADJUSTMENT,
                counted,
                reason_opening % {"n": counted, "unit": unit},
            )
            state.balances[key] = counted
        return specs, None
    consumed = Decimal(0)
    if used is not None:
        consumed = min(used, balance)
    elif counted < balance:
        consumed = balance - counted
    if consumed > 0:
        spec(
            MovementKind.CONSUMPTION,
            -consumed,
            _("Reported as used.") if used is not None else _("Derived from the count."),
        )
        balance -= consumed
    if counted != balance:
        spec(
            MovementKind.ADJUSTMENT,
            counted - balance,
            _("Count %(counted)s %(unit)s differs from ledger %(ledger)s %(unit)s")
            % {"counted": counted, "ledger": balance, "unit": unit},
            review=True,
        )
    unknown = used is None and counted > state.balances[key]
    state.balances[key] = counted
    return specs, (None if unknown else consumed)


def _plan_postings(
    state: _State,
    catalogue: _Catalogue,
    valid: _Valid,
    by: Any,
) -> tuple[list[bulk.MovementSpec], Decimal | None]:
    """What this report posts (source filled in once stored) and consumption in Nm³."""
    facility = valid.item.facility
    opening = _("Opening balance: first count reported, %(n)s %(unit)s.")
    specs: list[bulk.MovementSpec] = []
    derived = 0.0
    any_derived = False
    all_known = True
    if catalogue.lox is not None and valid.figures.tanks:
        counted = sum((kg for _t, _v, _u, kg in valid.figures.tanks), Decimal(0))
        planned, consumed = _plan_count(
            state,
            site=facility,
            product=catalogue.lox,
            counted=counted,
            used=None,
            at=valid.as_of,
            by=by,
            reason_opening=opening,
        )
        specs += planned
        if consumed is None:
            all_known = False
        else:
            any_derived = True
            derived += float(consumed) * NM3_PER_KG
    for cylinder_type, full, _empty, used in valid.figures.cylinders:
        product = catalogue.cylinder_products.get(cylinder_type.pk)
        if product is None:
            continue
        planned, consumed = _plan_count(
            state,
            site=facility,
            product=product,
            counted=Decimal(full),
            used=Decimal(used) if used is not None else None,
            at=valid.as_of,
            by=by,
            reason_opening=opening,
        )
        specs += planned
        if consumed is None:
            all_known = False
        else:
            any_derived = True
            derived += float(consumed) * _content_nm3(cylinder_type)
    known = any_derived and all_known
    return specs, (Decimal(str(round(derived, 3))) if known else None)


_CONTENTS: dict[tuple[str, Decimal, Decimal], float] = {}


def _content_nm3(cylinder_type: reg.CylinderType) -> float:
    key = (cylinder_type.code, cylinder_type.water_capacity_l, cylinder_type.fill_pressure_bar)
    if key not in _CONTENTS:
        _CONTENTS[key] = cylinder_type.content_nm3()
    return _CONTENTS[key]


def _ledger_keys(facility_id: int, catalogue: _Catalogue) -> list[tuple[int, int]]:
    products = [p.pk for p in catalogue.cylinder_products.values()]
    if catalogue.lox is not None:
        products.append(catalogue.lox.pk)
    return [(facility_id, pk) for pk in products]


def _reversals(
    superseded: Sequence[FacilityReport], state: _State, by: Any, reasons: dict[int, str]
) -> list[bulk.MovementSpec]:
    """Reverse what the superseded versions posted (latest-day corrections only)."""
    if not superseded:
        return []
    sources = {f"facility-report:{r.pk}": r.pk for r in superseded}
    postings = (
        Movement.objects.filter(source__in=sources, reversed_by__isnull=True)
        .exclude(kind=MovementKind.REVERSAL)
        .select_related("site", "product")
        .order_by("-pk")
    )
    specs = []
    touched: set[tuple[int, int]] = set()
    for movement in postings:
        key = (movement.site_id, movement.product_id)
        touched.add(key)
        state.balances[key] = state.balances.get(key, Decimal(0)) - movement.quantity
        specs.append(
            bulk.MovementSpec(
                site=movement.site,
                product=movement.product,
                kind=MovementKind.REVERSAL,
                quantity=-movement.quantity,
                occurred_at=movement.occurred_at,
                by=by,
                reason=reasons[sources[movement.source]],
                source=movement.source,
                reverses=movement,
            )
        )
    # Correcting the report that opened a product's ledger: the new count opens it. Every
    # version of that day counts as the same report (a second correction included).
    day_sources = [
        f"facility-report:{pk}"
        for pk in FacilityReport.objects.filter(
            facility_id__in={r.facility_id for r in superseded},
            report_date__in={r.report_date for r in superseded},
        ).values_list("pk", flat=True)
    ]
    for site_id, product_id in touched:
        others = Movement.objects.filter(site_id=site_id, product_id=product_id).exclude(
            source__in=day_sources
        )
        if not others.exists():
            state.balances.pop((site_id, product_id), None)
    return specs


# ------------------------------------------------------------------------------ flags


def _flags(
    valid: _Valid,
    report: FacilityReport,
    previous: _Stored | None,
    concentrators: Sequence[reg.FacilityConcentrators],
) -> list[dict[str, Any]]:
    flags: list[rules.Flag] = []
    days = 1.0
    if previous is not None:
        days = max((report.as_of - previous.report.as_of).total_seconds() / 86400, 0.25)
    census_nm3 = float(report.census_demand_nm3_per_day)
    consumed = report.consumption_nm3
    if consumed is None and previous is not None:
        consumed = report.consumption_derived_nm3
    if consumed is not None:
        # Patients breathe what left the stock and what was made on site.
        onsite = status.onsite_nm3_per_day(report, concentrators)
        flag = rules.check_consumption(float(consumed) / days + onsite, census_nm3)
        if flag is not None:
            flags.append(flag)
    consumption = valid.figures.consumption
    if consumption is not None and consumption[1] not in ("Nm3", "m3"):
        flag = rules.check_mass_slip(
            float(services._mass_kg(consumption[0], consumption[1])),
            census_nm3 * days / NM3_PER_KG,
            field="consumption",
        )
        if flag is not None:
            flags.append(flag)
    if previous is not None:
        for i, (tank, _value, unit, level_kg) in enumerate(valid.figures.tanks):
            before = float(previous.tanks.get(tank.pk, 0))
            if unit != "%" and before > 0:
                flag = rules.check_mass_slip(float(level_kg), before, field=f"lox_tanks.{i}.level")
                if flag is not None:
                    flags.append(flag)
    return [
        {
            "code": f.code.value,
            "field": f.field,
            "value": round(f.value, 3),
            "expected": round(f.expected, 3),
            "unit": f.unit,
            "message": f.message,
        }
        for f in flags
    ]


# ------------------------------------------------------------------------- storing


def _store_wave(
    wave: list[_Valid],
    state: _State,
    catalogue: _Catalogue,
    outcomes: list[ItemOutcome],
    now: datetime,
) -> None:
    new_reports: list[FacilityReport] = []
    superseded: list[FacilityReport] = []
    reversal_reasons: dict[int, str] = {}
    specs_by_report: list[list[bulk.MovementSpec]] = []
    stored: list[tuple[_Valid, _Stored]] = []
    kept: list[_Valid] = []
    for valid in wave:
        item = valid.item
        facility_id = item.facility.pk
        day = item.data.report_date
        history = state.current[facility_id]
        current = next((s for s in history if s.report.report_date == day), None)
        if current is not None and not valid.reason:
            outcomes[valid.index].errors = {
                "correction_reason": [
                    _("A report for this day already exists: say why you correct it.")
                ]
            }
            continue
        previous = next((s for s in history if s.report.report_date < day), None)
        is_latest = not history or history[0].report.report_date <= day
        by = item.submission.user if item.submission.user.is_authenticated else None
        figures = valid.figures
        report = FacilityReport(
            facility=item.facility,
            report_date=day,
            as_of=valid.as_of,
            version=(current.report.version + 1) if current else 1,
            supersedes=current.report if current else None,
            correction_reason=valid.reason if current else "",
            received_at=now,
            first_received_at=current.report.first_received_at if current else now,
            entered_by=by,
            reported_by_name=valid.reported_by,
            channel=item.submission.channel,
            submission_key=item.submission.key,
            notes=valid.notes,
            census_demand_nm3_per_day=valid.census_nm3_per_day,
            **{k: v for k, v in figures.counts.items() if v is not None},
            psa_status=item.data.psa_status,
            psa_output_nm3_per_h=figures.psa_output_nm3_per_h,
        )
        if figures.consumption is not None:
            report.consumption_value, report.consumption_unit, report.consumption_nm3 = (
                figures.consumption
            )
        specs: list[bulk.MovementSpec] = []
        if is_latest:
            if current is not None:
                keys = _ledger_keys(facility_id, catalogue)
                before = {k: state.balances[k] for k in keys if k in state.balances}
                reversal_reasons[current.report.pk] = _("Corrected by version %(v)s.") % {
                    "v": report.version
                }
                specs += _reversals([current.report], state, by, reversal_reasons)
                if any(state.balances.get(k, Decimal(0)) < 0 for k in keys):
                    for k in keys:
                        state.balances.pop(k, None)
                    state.balances.update(before)
                    outcomes[valid.index].errors = {
                        "correction_reason": [
                            _(
                                "This correction cannot replace the report: stock it counted "
                                "has since left the site (a transfer or delivery out). Report "
                                "today's count instead."
                            )
                        ]
                    }
                    continue
            planned, derived = _plan_postings(state, catalogue, valid, by)
            specs += planned
            report.consumption_derived_nm3 = derived
        report.flags = _flags(valid, report, previous, state.concentrators.get(facility_id, []))
        if current is not None:
            superseded.append(current.report)
            history.remove(current)
        entry = _Stored(
            report,
            {tank.pk: kg for tank, _v, _u, kg in figures.tanks},
            [(t, full) for t, full, _e, _u in figures.cylinders],
        )
        history.append(entry)
        history.sort(key=lambda s: s.report.report_date, reverse=True)
        new_reports.append(report)
        specs_by_report.append(specs)
        stored.append((valid, entry))
        kept.append(valid)
    if superseded:
        FacilityReport.objects.filter(pk__in=[r.pk for r in superseded]).update(is_current=False)
    FacilityReport.objects.bulk_create(new_reports)
    tank_rows = []
    cylinder_rows = []
    for valid, entry in stored:
        report = entry.report
        for tank, value, unit, kg in valid.figures.tanks:
            tank_rows.append(
                FacilityReportTank(
                    report=report, tank=tank, level_value=value, level_unit=unit, level_kg=kg
                )
            )
        for cylinder_type, full, empty, used in valid.figures.cylinders:
            cylinder_rows.append(
                FacilityReportCylinders(
                    report=report, cylinder_type=cylinder_type, full=full, empty=empty, used=used
                )
            )
        outcomes[valid.index].report = report
        outcomes[valid.index].created = True
    FacilityReportTank.objects.bulk_create(tank_rows)
    FacilityReportCylinders.objects.bulk_create(cylinder_rows)
    movements: list[bulk.MovementSpec] = []
    for report, specs in zip(new_reports, specs_by_report, strict=True):
        for spec in specs:
            if spec.kind != MovementKind.REVERSAL:
                spec.source = f"facility-report:{report.pk}"
            movements.append(spec)
    if movements:
        bulk.post_many(movements)


def _refresh_statuses(state: _State, facility_ids: set[int], now: datetime) -> None:
    latest = {fid: state.current[fid] for fid in facility_ids if state.current.get(fid)}
    if not latest:
        return
    facilities = {f.pk: f for f in reg.Facility.objects.filter(pk__in=latest)}
    tanks = {t.pk: t for t in reg.LoxTank.objects.filter(facility_id__in=latest)}
    oldest = min(history[0].report.as_of for history in latest.values())
    readings = status.latest_readings(list(tanks), oldest)
    # The status is a cache of the engine's answer: replace the rows (a bulk update
    # of every field would cost more than computing them).
    FacilityStatus.objects.filter(facility_id__in=latest).delete()
    rows: list[FacilityStatus] = []
    for fid, history in latest.items():
        head = history[0]
        inputs = status.StatusInputs(
            facility=facilities[fid],
            report=head.report,
            tanks=[(tanks[tid], kg) for tid, kg in head.tanks.items() if tid in tanks],
            cylinders=head.cylinders,
            history=[s.report for s in history],
            readings=readings,
            concentrators=state.concentrators.get(fid, []),
        )
        rows.append(FacilityStatus(facility_id=fid, **status.status_values(inputs, now=now)))
    FacilityStatus.objects.bulk_create(rows)


def ingest_facility_reports(
    items: Sequence[FacilityItem], *, now: datetime | None = None
) -> list[ItemOutcome]:
    """Validate and store facility reports; one outcome per item, in order.

    A refused item (``errors``) or a forbidden one (``forbidden``) stores nothing and
    does not stop the others. An item whose key was seen before for its facility
    returns the report stored then (``created`` False). Everything stored is stored in
    one transaction.
    """
    now = now or timezone.now()
    outcomes = [ItemOutcome() for _ in items]
    if not items:
        return outcomes
    catalogue = _Catalogue.load()
    facility_ids = {item.facility.pk for item in items}
    tanks: dict[int, list[reg.LoxTank]] = defaultdict(list)
    for tank in reg.LoxTank.objects.filter(facility_id__in=facility_ids):
        tanks[tank.facility_id].append(tank)

    allowed: dict[int, set[int]] = {}
    for item in items:
        user = item.submission.user
        if user.pk not in allowed:
            reachable = scopes.editable(reg.Site.objects.filter(pk__in=facility_ids), user)
            allowed[user.pk] = set(reachable.values_list("pk", flat=True))

    candidates: list[_Valid] = []
    for index, item in enumerate(items):
        if item.facility.pk not in allowed[item.submission.user.pk]:
            outcomes[index].forbidden = True
            continue
        checked = _validate(index, item, catalogue, tanks[item.facility.pk], now)
        if isinstance(checked, dict):
            outcomes[index].errors = checked
        else:
            candidates.append(checked)
    if not candidates:
        return outcomes

    for attempt in range(3):
        for valid in candidates:  # a retry starts from what validation found
            outcomes[valid.index] = ItemOutcome()
        try:
            with transaction.atomic():
                _lock_sites({v.item.facility.pk for v in candidates})
                seen = {
                    (r.facility_id, r.submission_key): r
                    for r in FacilityReport.objects.filter(
                        facility_id__in=facility_ids,
                        submission_key__in={v.item.submission.key for v in candidates},
                    )
                }
                fresh: list[_Valid] = []
                first_of_key: dict[tuple[int, str], int] = {}
                repeats: list[tuple[int, int]] = []  # (item, the earlier item with its key)
                for valid in candidates:
                    key = (valid.item.facility.pk, valid.item.submission.key)
                    if key in seen:
                        outcomes[valid.index] = ItemOutcome(report=seen[key])
                    elif key in first_of_key:
                        repeats.append((valid.index, first_of_key[key]))
                    else:
                        first_of_key[key] = valid.index
                        fresh.append(valid)
                earliest = min(v.item.data.report_date for v in fresh) if fresh else now.date()
                state = _load_state(
                    {v.item.facility.pk for v in fresh},
                    earliest - timedelta(days=HISTORY_DAYS),
                    catalogue,
                )
                waves: list[list[_Valid]] = []
                depth: dict[int, int] = defaultdict(int)
                for valid in fresh:
                    level = depth[valid.item.facility.pk]
                    depth[valid.item.facility.pk] += 1
                    if level == len(waves):
                        waves.append([])
                    waves[level].append(valid)
                for wave in waves:
                    _store_wave(wave, state, catalogue, outcomes, now)
                stored = {v.item.facility.pk for v in fresh}
                _refresh_statuses(state, stored, now)
                # The facilities' alerts, on the statuses just refreshed (one set-based call).
                alert_engine.after_facility_reports(stored, now=now)
                # The dashboard's daily figures move with the report, in the same
                # transaction, so no screen shows a total the reports do not give.
                snapshots.refresh((v.item.facility.pk, v.item.data.report_date) for v in fresh)
                for index, earlier in repeats:
                    # The same key twice in one set: the second is a retry of the first.
                    first = outcomes[earlier]
                    outcomes[index] = ItemOutcome(report=first.report, errors=first.errors)
            break
        except IntegrityError:
            # A concurrent writer stored a key or a version first: read again and retry.
            if attempt == 2:
                raise
        except LedgerError as exc:
            # The plan keeps every ledger rule; should one still be broken, nothing of
            # the set is stored and each item says why, rather than a server error.
            for valid in candidates:
                outcomes[valid.index] = ItemOutcome(errors={exc.field: [str(exc)]})
            return outcomes
    return outcomes


def submit_one(
    *, facility: reg.Facility, data: services.FacilityReportIn, submission: services.Submission
) -> services.Outcome:
    """Store one report through the set path; raise as the single-report API expects."""
    outcome = ingest_facility_reports(
        [FacilityItem(facility, data, submission)], now=submission.now
    )[0]
    if outcome.forbidden:
        raise PermissionDenied(_("You may not report for %(site)s.") % {"site": facility.code})
    if outcome.errors:
        raise services.ReportRejected(outcome.errors)
    assert outcome.report is not None
    return services.Outcome(outcome.report, outcome.created, outcome.flags)
