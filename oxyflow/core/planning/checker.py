"""The independent plan checker for allocations (issue 5, point 4).

Written apart from the solver: it reads only the problem and the plan (the model types),
replays every facility's stock day by day from the deliveries, and reports each rule a
plan breaks. Rules:

- ``delivery``: a delivery names a known link and a product both ends handle, on a day of
  the horizon, with a quantity ≥ 0.
- ``production``: a producer ships at most its capacity per product per day.
- ``transport``: a producer's fleet moves at most vehicles × trips × capacity per day.
- ``storage``: the stock before consumption plus the day's deliveries fits in storage.
- ``safety``: end-of-day stock stays at or above the safety level.
- ``shortage``: a reported shortage is ≥ 0 and at most the day's need (its demand plus,
  on the first day, the opening deficit below safety).
- ``conservation``: the plan's stock equals the stock replayed from the opening stock,
  deliveries, demand and reported shortage, and the plan's totals equal the sums of its
  lines.

Quantities are compared with a tolerance of 1e-6 units plus 1e-9 relative: solvers work
in floating point.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from oxyflow.core.planning.model import AllocationPlan, PlanningProblem

ABSOLUTE_TOLERANCE = 1e-6
RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, at which site (and product), on which day, and how."""

    rule: str
    subject: str
    day: int | None
    message: str

    def __str__(self) -> str:
        day = "" if self.day is None else f" day {self.day}"
        return f"[{self.rule}] {self.subject}{day}: {self.message}"


@dataclass(frozen=True)
class CheckResult:
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> set[str]:
        return {v.rule for v in self.violations}


def _exceeds(value: float, limit: float) -> bool:
    return value > limit + ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * abs(limit)


def check_allocation(problem: PlanningProblem, plan: AllocationPlan) -> CheckResult:
    """Check ``plan`` against every allocation rule of ``problem``; never raises on a bad plan."""
    found: list[Violation] = []
    days = problem.days
    units = {p.code: p.unit for p in problem.products}
    gas = {p.code: p.gas_nm3_per_unit for p in problem.products}
    links = {(lk.producer, lk.facility): lk for lk in problem.links}
    producers = {p.id: p for p in problem.producers}
    facilities = {f.id: f for f in problem.facilities}
    products = {p.code: p for p in problem.products}
    fleet_per_day = {(c.producer, c.product): c.per_day for c in problem.fleet.capacities}

    shipped: dict[tuple[str, str, int], float] = defaultdict(float)
    received: dict[tuple[str, str, int], float] = defaultdict(float)
    cost = 0.0
    for d in plan.deliveries:
        where = f"{d.producer} → {d.facility} {d.product}"
        link = links.get((d.producer, d.facility))
        facility = facilities.get(d.facility)
        producer = producers.get(d.producer)
        if link is None or facility is None or producer is None:
            found.append(Violation("delivery", where, d.day, "no such candidate link"))
            continue
        if d.product not in products or facility.stock_of(d.product) is None:
            found.append(Violation("delivery", where, d.day, "the facility does not stock it"))
            continue
        if not 0 <= d.day < days:
            found.append(Violation("delivery", where, d.day, f"day outside 0..{days - 1}"))
            continue
        if not math.isfinite(d.quantity) or d.quantity < 0:
            found.append(Violation("delivery", where, d.day, f"quantity {d.quantity} < 0"))
            continue
        shipped[(d.producer, d.product, d.day)] += d.quantity
        received[(d.facility, d.product, d.day)] += d.quantity
        cost += link.distance_km * products[d.product].cost_per_unit_km * d.quantity

    for (producer_id, code, day), total in sorted(shipped.items()):
        capacity = producers[producer_id].capacity_per_day.get(code, 0.0)
        unit = units[code]
        if _exceeds(total, capacity):
            found.append(
                Violation(
                    "production",
                    f"{producer_id} {code}",
                    day,
                    f"ships {total:.6g} {unit}, capacity {capacity:.6g} {unit}/day",
                )
            )
        fleet = fleet_per_day.get((producer_id, code), math.inf)
        if _exceeds(total, fleet):
            found.append(
                Violation(
                    "transport",
                    f"{producer_id} {code}",
                    day,
                    f"moves {total:.6g} {unit}, fleet capacity {fleet:.6g} {unit}/day",
                )
            )

    reported: dict[tuple[str, str, int], float] = defaultdict(float)
    shortage_nm3 = 0.0
    weighted_nm3 = 0.0
    for s in plan.shortages:
        facility = facilities.get(s.facility)
        if facility is None or facility.stock_of(s.product) is None or not 0 <= s.day < days:
            found.append(
                Violation("shortage", f"{s.facility} {s.product}", s.day, "no such stock or day")
            )
            continue
        if s.quantity < 0:
            found.append(
                Violation("shortage", f"{s.facility} {s.product}", s.day, f"{s.quantity} < 0")
            )
        expected_nm3 = s.quantity * gas[s.product]
        if _exceeds(abs(s.nm3 - expected_nm3), 0.0):
            found.append(
                Violation(
                    "conservation",
                    f"{s.facility} {s.product}",
                    s.day,
                    f"shortage {s.quantity:.6g} {units[s.product]} is {expected_nm3:.6g} Nm³, "
                    f"the plan says {s.nm3:.6g} Nm³",
                )
            )
        reported[(s.facility, s.product, s.day)] += s.quantity
        shortage_nm3 += expected_nm3
        weighted_nm3 += expected_nm3 * facility.priority

    for f in problem.facilities:
        for fs in f.stocks:
            subject = f"{f.id} {fs.product}"
            unit = units[fs.product]
            planned = plan.stocks.get((f.id, fs.product))
            if planned is None or len(planned) != days:
                found.append(
                    Violation("conservation", subject, None, f"the plan gives no {days}-day stock")
                )
                planned = None
            level = fs.stock
            for day in range(days):
                inflow = received.get((f.id, fs.product, day), 0.0)
                short = reported.get((f.id, fs.product, day), 0.0)
                need = fs.demand_per_day[day] + (
                    max(0.0, fs.safety_level - fs.stock) if day == 0 else 0.0
                )
                if _exceeds(short, need):
                    found.append(
                        Violation(
                            "shortage",
                            subject,
                            day,
                            f"reports {short:.6g} {unit} short, the need is {need:.6g} {unit}",
                        )
                    )
                peak = level + inflow
                if _exceeds(peak, fs.storage_capacity):
                    found.append(
                        Violation(
                            "storage",
                            subject,
                            day,
                            f"{level:.6g} {unit} in stock + {inflow:.6g} delivered exceeds the "
                            f"storage capacity {fs.storage_capacity:.6g} {unit}",
                        )
                    )
                level = peak - fs.demand_per_day[day] + short
                if _exceeds(fs.safety_level, level):
                    found.append(
                        Violation(
                            "safety",
                            subject,
                            day,
                            f"ends the day at {level:.6g} {unit}, below the safety level "
                            f"{fs.safety_level:.6g} {unit}, not reported as shortage",
                        )
                    )
                if planned is not None and _exceeds(abs(planned[day] - level), 0.0):
                    found.append(
                        Violation(
                            "conservation",
                            subject,
                            day,
                            f"the plan's stock {planned[day]:.6g} {unit} differs from "
                            f"{level:.6g} {unit} replayed from deliveries and demand",
                        )
                    )

    for name, planned_total, replayed in (
        ("shortage_nm3", plan.shortage_nm3, shortage_nm3),
        ("weighted_shortage_nm3", plan.weighted_shortage_nm3, weighted_nm3),
        ("transport_cost", plan.transport_cost, cost),
    ):
        if _exceeds(abs(planned_total - replayed), 1e-6 * abs(replayed)):
            found.append(
                Violation(
                    "conservation",
                    "plan",
                    None,
                    f"{name} is {planned_total:.9g}, its lines sum to {replayed:.9g}",
                )
            )
    return CheckResult(tuple(found))
