"""Benchmark: the 7-day allocation on a synthetic national instance, against the greedy.

Builds a seeded country (5,000 facilities, 300 producers, 7 days; LOX and two cylinder
types; each facility linked to its K = 10 nearest producers), times building the HiGHS
model and solving it separately, runs the greedy nearest-supplier baseline on the same
problem, and passes both plans through the independent checker. Prints sizes, times,
total shortage (Nm³) and transport cost, and the ratios LP / greedy.

    .venv/bin/python -m bench.bench_allocation [--quick] [--seed N] [--time-limit S]
        [--supply-ratio R]

Exits 1 if the LP is not optimal within 60 s or a plan fails the checker.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from oxyflow.core.network import Location
from oxyflow.core.planning.allocation import build_model
from oxyflow.core.planning.checker import check_allocation
from oxyflow.core.planning.greedy import greedy_allocate
from oxyflow.core.planning.model import (
    AllocationPlan,
    Facility,
    FacilityStock,
    Fleet,
    PlanningProblem,
    Producer,
    Product,
    ProductKind,
    SolveStatus,
    TransportCapacity,
    candidate_links,
)

# A country-sized box, about 1,000 km a side (as bench_contingency).
LATITUDES = (10.0, 19.0)
LONGITUDES = (100.0, 109.0)
# Need per oxygen bed: 80 % occupied at 10 L/min = 0.8 × 14.4 Nm³/day.
NM3_PER_DAY_PER_BED = 0.8 * 10 * 1.44
LOX = Product.lox(cost_per_unit_km=0.0002)
CYL_50L = Product("CYL-50L", ProductKind.CYLINDER, gas_nm3_per_unit=10.0, cost_per_unit_km=0.004)
CYL_10L = Product("CYL-10L", ProductKind.CYLINDER, gas_nm3_per_unit=2.0, cost_per_unit_km=0.001)
PRODUCTS = (LOX, CYL_50L, CYL_10L)
TARGET_S = 60.0


def synthetic_problem(
    n_facilities: int,
    n_producers: int,
    days: int,
    seed: int,
    *,
    k: int = 10,
    supply_ratio: float = 1.15,
) -> PlanningProblem:
    """A seeded national instance: production ``supply_ratio`` × the mean need, uneven."""
    rng = np.random.default_rng(seed)

    def location() -> Location:
        return Location(float(rng.uniform(*LATITUDES)), float(rng.uniform(*LONGITUDES)))

    facilities = []
    need_per_day = dict.fromkeys((p.code for p in PRODUCTS), 0.0)
    for i in range(n_facilities):
        beds = float(rng.lognormal(3.0, 0.8))
        nm3 = beds * NM3_PER_DAY_PER_BED
        # Large facilities have a LOX tank; every one has 50 L cylinders, half 10 L ones.
        shares = {"LOX": 0.8 if beds > 25 else 0.0, "CYL-50L": 1.0, "CYL-10L": 0.0}
        if rng.random() < 0.5:
            shares["CYL-10L"] = 0.15
        total_share = sum(shares.values())
        stocks = []
        for product in PRODUCTS:
            share = shares[product.code] / total_share
            if share == 0:
                continue
            per_day = nm3 * share / product.gas_nm3_per_unit
            demand = tuple(float(per_day * rng.uniform(0.85, 1.25)) for _ in range(days))
            safety = per_day  # one day of reserve
            storage = per_day * float(rng.uniform(2.5, 4.0))
            stock = float(rng.uniform(0.6 * safety, 0.9 * storage))
            stocks.append(FacilityStock(product.code, stock, storage, safety, demand))
            need_per_day[product.code] += per_day * 1.05
        priority = float(rng.choice([1.0, 1.0, 2.0, 3.0]))
        facilities.append(Facility(f"F{i:05d}", location(), priority, tuple(stocks)))

    producers = []
    fleet = []
    weights = rng.gamma(0.7, size=(n_producers, len(PRODUCTS)))
    weights /= weights.sum(axis=0)
    for j in range(n_producers):
        capacity = {
            p.code: float(supply_ratio * need_per_day[p.code] * weights[j, c])
            for c, p in enumerate(PRODUCTS)
        }
        producers.append(Producer(f"P{j:03d}", location(), capacity))
        # Fleets sized at 70-130 % of production: some plants cannot ship all they make.
        for p in PRODUCTS:
            per_trip = 18_000.0 if p.kind is ProductKind.LOX else 400.0
            moves = capacity[p.code] * float(rng.uniform(0.7, 1.3))
            trips = 2
            vehicles = max(1, round(moves / (trips * per_trip)))
            fleet.append(TransportCapacity(f"P{j:03d}", p.code, vehicles, trips, per_trip))
    links = candidate_links(facilities, producers, k=k)
    return PlanningProblem(
        days, PRODUCTS, tuple(facilities), tuple(producers), links, Fleet(tuple(fleet))
    )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else ("1.000" if a == 0 else "inf")


def _report(name: str, plan: AllocationPlan, problem: PlanningProblem) -> bool:
    check = check_allocation(problem, plan)
    short_days = len({(s.facility, s.day) for s in plan.shortages})
    print(
        f"{name:<8} shortage {plan.shortage_nm3:>14,.0f} Nm³ over {short_days:>6,} "
        f"facility-days  weighted {plan.weighted_shortage_nm3:>14,.0f}  "
        f"transport cost {plan.transport_cost:>14,.0f}  deliveries {len(plan.deliveries):>7,}  "
        f"checker {'pass' if check.ok else 'FAIL'}"
    )
    for violation in check.violations[:5]:
        print(f"    {violation}")
    return check.ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 facilities, 30 producers")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--time-limit", type=float, default=None, help="HiGHS limit, s")
    parser.add_argument(
        "--supply-ratio", type=float, default=1.15, help="production / mean need (1.15)"
    )
    args = parser.parse_args(argv)
    n_facilities, n_producers = (500, 30) if args.quick else (5000, 300)

    t0 = time.perf_counter()
    problem = synthetic_problem(
        n_facilities, n_producers, 7, args.seed, supply_ratio=args.supply_ratio
    )
    t_instance = time.perf_counter() - t0
    total_need = sum(
        sum(s.demand_per_day) * problem.product(s.product).gas_nm3_per_unit
        for f in problem.facilities
        for s in f.stocks
    )
    print(
        f"instance: {n_facilities:,} facilities, {n_producers} producers, {problem.days} days, "
        f"{len(PRODUCTS)} products, {len(problem.links):,} candidate links, "
        f"demand {total_need:,.0f} Nm³ over the horizon (generated in {t_instance:.1f} s)"
    )

    t0 = time.perf_counter()
    model = build_model(problem)
    t_build = time.perf_counter() - t0
    columns, rows, nonzeros = model.size
    print(
        f"LP ({len(model.parts)} products, solved one after another): {columns:,} columns, "
        f"{rows:,} rows, {nonzeros:,} nonzeros"
    )
    t0 = time.perf_counter()
    plan = model.solve(time_limit_s=args.time_limit)
    t_solve = time.perf_counter() - t0
    print(
        f"allocation: build {t_build:.2f} s, solve {t_solve:.2f} s "
        f"(status {plan.status}, {plan.iterations:,} IPM + crossover + simplex iterations; "
        f"{plan.scope})"
    )

    t0 = time.perf_counter()
    greedy = greedy_allocate(problem)
    t_greedy = time.perf_counter() - t0
    print(f"greedy: {t_greedy:.2f} s")

    lp_ok = _report("LP", plan, problem)
    greedy_ok = _report("greedy", greedy, problem)
    print(
        f"LP / greedy: shortage {_ratio(plan.shortage_nm3, greedy.shortage_nm3)}, "
        f"weighted shortage {_ratio(plan.weighted_shortage_nm3, greedy.weighted_shortage_nm3)}, "
        f"transport cost {_ratio(plan.transport_cost, greedy.transport_cost)}"
    )
    total = t_build + t_solve
    met = plan.status is SolveStatus.OPTIMAL and total < TARGET_S
    print(
        f"target: optimal in under {TARGET_S:.0f} s — build + solve {total:.1f} s: "
        f"{'met' if met else 'MISSED'}"
    )
    return 0 if met and lp_ok and greedy_ok else 1


if __name__ == "__main__":
    sys.exit(main())
