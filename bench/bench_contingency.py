"""Benchmark: one allocation and the full N-1 on a synthetic national network.

Builds a seeded network (5,000 facilities and 300 producers by default, ``--quick`` for
500 and 30), times :func:`oxyflow.core.contingency.allocate` and
:func:`~oxyflow.core.contingency.n_minus_1`, and in the same run a straightforward
per-facility Python loop (greedy: each facility takes from its nearest sources in turn;
for N-1, rerun per removed producer) and the LP rebuilt from scratch per outage (sampled).
Prints a table of times, ratios and total shortages.

    .venv/bin/python -m bench.bench_contingency [--quick] [--seed N]
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import numpy as np

from oxyflow.core.contingency import (
    DemandNode,
    Source,
    SupplyNetwork,
    allocate,
    n_minus_1,
    nearest_links,
)
from oxyflow.core.network import Location

T = TypeVar("T")

# A country-sized box, about 1,000 km a side (Viet Nam's latitudes, widened).
LATITUDES = (10.0, 19.0)
LONGITUDES = (100.0, 109.0)
# Need per oxygen bed: 80 % occupied at 10 L/min (WHO ESFT severe) = 0.8 x 14.4 Nm³/day.
NM3_PER_DAY_PER_BED = 0.8 * 10 * 1.44
CAPACITY_OVER_NEED = 1.2
# One cylinder truck per link: 150 cylinders x 6.8 Nm³, 16 h a day at 50 km/h, 2 h handling.
TRUCK_NM3 = 150 * 6.8
DRIVING_HOURS_PER_DAY = 16.0
SPEED_KM_PER_H = 50.0
HANDLING_HOURS = 2.0
SAMPLED_REBUILDS = 5


def transport_limit(source: str, node: str, road_km: float) -> float:
    """Daily transport on a link: truck trips per day times the truck's load."""
    round_trip_h = 2 * road_km / SPEED_KM_PER_H + HANDLING_HOURS
    return TRUCK_NM3 * DRIVING_HOURS_PER_DAY / round_trip_h


def synthetic_network(
    facilities: int,
    producers: int,
    seed: int,
    k: int = 10,
    capacity_over_need: float = CAPACITY_OVER_NEED,
) -> SupplyNetwork:
    rng = np.random.default_rng(seed)

    def locations(n: int) -> list[Location]:
        lat = rng.uniform(*LATITUDES, n)
        lon = rng.uniform(*LONGITUDES, n)
        return [Location(float(a), float(b)) for a, b in zip(lat, lon, strict=True)]

    facility_locations = dict(
        zip((f"F{i:05d}" for i in range(facilities)), locations(facilities), strict=True)
    )
    producer_locations = dict(
        zip((f"P{j:03d}" for j in range(producers)), locations(producers), strict=True)
    )
    beds = np.clip(rng.lognormal(math.log(60), 0.8, facilities), 5, 1500).round()
    need = beds * NM3_PER_DAY_PER_BED
    has_psa = rng.random(facilities) < 0.25
    onsite = np.where(has_psa, need * rng.uniform(0.2, 0.8, facilities), 0.0)
    net_need = need - onsite
    storage = net_need * rng.uniform(0.0, 3.0, facilities)
    nodes = tuple(
        DemandNode(code, float(n), float(s), float(o))
        for code, n, s, o in zip(facility_locations, need, storage, onsite, strict=True)
    )
    weights = rng.gamma(2.0, 1.0, producers)
    capacity = weights / weights.sum() * capacity_over_need * net_need.sum()
    sources = tuple(
        Source(code, float(c)) for code, c in zip(producer_locations, capacity, strict=True)
    )
    links = nearest_links(
        facility_locations, producer_locations, k=k, transport_nm3_per_day=transport_limit
    )
    return SupplyNetwork(nodes, sources, links)


def greedy_shortage(network: SupplyNetwork, removed: str | None = None) -> float:
    """The per-facility loop: each facility, in turn, takes from its nearest sources."""
    remaining = {s.code: s.capacity_nm3_per_day for s in network.sources}
    if removed is not None:
        remaining[removed] = 0.0
    links_of: dict[str, list[tuple[float, str, float]]] = {n.code: [] for n in network.nodes}
    for link in network.links:
        links_of[link.node].append((link.cost_per_nm3, link.source, link.transport_nm3_per_day))
    shortage = 0.0
    for node in network.nodes:
        wanted = node.net_need_nm3_per_day
        for _, source, transport in sorted(links_of[node.code]):
            take = min(wanted, transport, remaining[source])
            remaining[source] -= take
            wanted -= take
            if wanted <= 0:
                break
        shortage += wanted
    return shortage


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="500 facilities, 30 producers")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--k", type=int, default=10, help="nearest sources per facility")
    parser.add_argument(
        "--capacity", type=float, default=CAPACITY_OVER_NEED, help="total capacity / net need"
    )
    args = parser.parse_args(argv)
    facilities, producers = (500, 30) if args.quick else (5000, 300)

    network, t_build = timed(
        lambda: synthetic_network(facilities, producers, args.seed, args.k, args.capacity)
    )
    need = sum(n.net_need_nm3_per_day for n in network.nodes)
    print(
        f"network: {facilities} facilities, {producers} producers, {len(network.links)} links, "
        f"net need {need:,.0f} Nm³/day, capacity {args.capacity}x; built in {t_build:.2f} s"
    )

    allocation, t_alloc = timed(lambda: allocate(network))
    greedy_base, t_greedy = timed(lambda: greedy_shortage(network))
    impacts, t_n1 = timed(lambda: n_minus_1(network))
    greedy_n1, t_greedy_n1 = timed(
        lambda: [greedy_shortage(network, s.code) for s in network.sources]
    )

    # The LP rebuilt and solved cold per outage, on a sample of the busiest sources.
    busiest = sorted(impacts, key=lambda i: -i.added_shortfall_nm3_per_day)[:SAMPLED_REBUILDS]
    rebuilt_time = 0.0
    for impact in busiest:
        without = replace(
            network,
            sources=tuple(
                replace(s, capacity_nm3_per_day=0.0) if s.code == impact.source else s
                for s in network.sources
            ),
        )
        cold, t_cold = timed(lambda net=without: allocate(net))  # type: ignore[misc]
        rebuilt_time += t_cold
        gap = abs(cold.total_shortage_nm3_per_day - impact.total_shortfall_nm3_per_day)
        assert gap <= 1e-6 * need, f"warm and cold N-1 disagree for {impact.source}: {gap}"
    t_rebuild_all = rebuilt_time / len(busiest) * producers

    n1_ours = sum(i.total_shortfall_nm3_per_day for i in impacts)
    n1_greedy = sum(greedy_n1)
    short_nodes = sum(len(i.districts_short) for i in impacts)
    print()
    print(f"{'run':<44}{'ours s':>9}{'loop s':>9}{'ours/loop':>11}")
    print(
        f"{'one allocation (LP) vs greedy loop':<44}{t_alloc:>9.2f}{t_greedy:>9.2f}"
        f"{t_alloc / t_greedy:>11.2f}"
    )
    print(
        f"{'N-1, warm LP vs greedy loop per producer':<44}{t_n1:>9.2f}{t_greedy_n1:>9.2f}"
        f"{t_n1 / t_greedy_n1:>11.2f}"
    )
    print(
        f"{'N-1, warm LP vs LP rebuilt per outage (est.)':<44}{t_n1:>9.2f}"
        f"{t_rebuild_all:>9.2f}{t_n1 / t_rebuild_all:>11.2f}"
    )
    print()
    print(f"{'total shortage, Nm³/day':<44}{'LP':>12}{'greedy':>12}{'greedy/LP':>11}")
    print(
        f"{'  all producers up':<44}{allocation.total_shortage_nm3_per_day:>12,.0f}"
        f"{greedy_base:>12,.0f}{_ratio(greedy_base, allocation.total_shortage_nm3_per_day):>11}"
    )
    print(
        f"{'  summed over the N-1 outages':<44}{n1_ours:>12,.0f}{n1_greedy:>12,.0f}"
        f"{_ratio(n1_greedy, n1_ours):>11}"
    )
    print()
    print(
        f"N-1: {short_nodes} (outage, facility) rows short; rebuilt LP sampled on "
        f"{len(busiest)} outages ({rebuilt_time:.2f} s), extrapolated to {producers}; "
        f"warm and cold totals agree."
    )
    print(
        f"targets: allocation < 2 s: {'met' if t_alloc < 2 else 'MISSED'}; "
        f"N-1 < 60 s: {'met' if t_n1 < 60 else 'MISSED'}"
    )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b > 0 else ("1.00" if a == 0 else "inf")


if __name__ == "__main__":
    main()
