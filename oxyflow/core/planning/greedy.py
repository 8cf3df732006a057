"""The greedy nearest-supplier baseline the allocation is benchmarked against.

Each day, facilities in priority order (highest first, then by id) take, product by
product, what they need to end the day at their safety level — the day's demand plus any
deficit, capped by free storage — from their candidate producers nearest first, as long
as those have production and fleet capacity left that day. What cannot be had is
reported as shortage, and the stock is counted as back at the safety level (the unmet
need is lost), as in the LP. This is roughly what a coordinator does by phone.
"""

from __future__ import annotations

import math
from collections import defaultdict

from oxyflow.core.planning.model import (
    AllocationPlan,
    Delivery,
    Link,
    PlanningProblem,
    Shortage,
    SolveStatus,
)

GREEDY_SCOPE = "greedy nearest-supplier baseline (no optimality claim)"


def greedy_allocate(problem: PlanningProblem) -> AllocationPlan:
    """Allocate day by day, nearest producer first; see the module docstring. Units as model."""
    products = {p.code: p for p in problem.products}
    transport = {(c.producer, c.product): c.per_day for c in problem.fleet.capacities}
    nearest: dict[str, list[Link]] = defaultdict(list)
    for link in problem.links:
        nearest[link.facility].append(link)
    for options in nearest.values():
        options.sort(key=lambda lk: (lk.distance_km, lk.producer))
    order = sorted(problem.facilities, key=lambda f: (-f.priority, f.id))
    level = {(f.id, s.product): s.stock for f in problem.facilities for s in f.stocks}
    stocks: dict[tuple[str, str], list[float]] = {key: [] for key in level}

    deliveries: list[Delivery] = []
    shortages: list[Shortage] = []
    cost = 0.0
    for day in range(problem.days):
        left = {
            (p.id, code): min(capacity, transport.get((p.id, code), math.inf))
            for p in problem.producers
            for code, capacity in p.capacity_per_day.items()
        }
        for f in order:
            for s in f.stocks:
                key = (f.id, s.product)
                demand = s.demand_per_day[day]
                want = max(0.0, s.safety_level + demand - level[key])
                want = min(want, s.storage_capacity - level[key])
                for link in nearest[f.id]:
                    if want <= 0:
                        break
                    have = left.get((link.producer, s.product), 0.0)
                    take = min(want, have)
                    if take <= 0:
                        continue
                    left[(link.producer, s.product)] = have - take
                    want -= take
                    level[key] += take
                    cost += take * link.cost_per_unit(products[s.product])
                    deliveries.append(Delivery(link.producer, f.id, s.product, day, take))
                level[key] -= demand
                if level[key] < s.safety_level:
                    gap = s.safety_level - level[key]
                    gas = products[s.product].gas_nm3_per_unit
                    shortages.append(Shortage(f.id, s.product, day, gap, gap * gas))
                    level[key] = s.safety_level
                stocks[key].append(level[key])

    priority = {f.id: f.priority for f in problem.facilities}
    return AllocationPlan(
        deliveries=tuple(deliveries),
        stocks={key: tuple(values) for key, values in stocks.items()},
        shortages=tuple(shortages),
        shortage_nm3=sum(s.nm3 for s in shortages),
        weighted_shortage_nm3=sum(s.nm3 * priority[s.facility] for s in shortages),
        transport_cost=cost,
        status=SolveStatus.GREEDY,
        scope=GREEDY_SCOPE,
    )
