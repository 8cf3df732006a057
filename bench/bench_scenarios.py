"""Benchmark: one national scenario with its gap table, and the full N-1, against loops.

Builds a seeded synthetic national registry as plain core values — 5,000 districts (each
standing for one facility: population, oxygen beds, on-site generation, storage,
contracted supply and transport) and 300 producers (``--quick``: 500 and 30) — and times,
in the same run:

(a) :func:`oxyflow.core.scenarios.run_scenario` spreading N patients over every district,
    plus :func:`~oxyflow.core.scenarios.gap_table`; against a straightforward loop that
    works out each district's patients, oxygen need, PPE and gap in plain Python, and
    against the engine called once per district;
(b) the full N-1 (:func:`oxyflow.core.contingency.n_minus_1`, one re-supply per
    producer) on the scenario's district needs; against the per-facility greedy loop of
    ``bench_contingency`` rerun per removed producer.

Prints a table of times and ratios. Asserts nothing, but exits 1 if a target is missed:
scenario + gap table < 2 s, N-1 < 60 s (issue 3).

    .venv/bin/python -m bench.bench_scenarios [--quick] [--seed N] [--patients N]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from bench.bench_contingency import greedy_shortage, transport_limit
from oxyflow.core.contingency import DemandNode, Source, SupplyNetwork, n_minus_1, nearest_links
from oxyflow.core.network import Location
from oxyflow.core.scenarios import (
    ESFT_MIX,
    MEDICAL_MASKS_PER_INPATIENT,
    PPE_PER_HEALTH_WORKER,
    DistrictSupply,
    Scenario,
    gap_table,
    run_scenario,
)

T = TypeVar("T")

SCENARIO_TARGET_S = 2.0
N_MINUS_1_TARGET_S = 60.0
# A country-sized box, about 1,000 km a side (as bench_contingency).
LATITUDES = (10.0, 19.0)
LONGITUDES = (100.0, 109.0)
# Producers can make this much more than the districts need net of on-site generation.
CAPACITY_OVER_NEED = 1.2
# WHO ESFT flows (L/min) and 1 L/min for a day = 1.44 m³.
SEVERE_L_PER_MIN = 10.0
CRITICAL_L_PER_MIN = 30.0
M3_PER_DAY_PER_L_PER_MIN = 1.44


@dataclass(frozen=True)
class Registry:
    """Plain values per district (arrays in district order) and per producer."""

    districts: list[str]
    population: np.ndarray
    beds_oxygen: np.ndarray
    onsite_m3_per_day: np.ndarray
    storage_m3: np.ndarray
    contracted_m3_per_day: np.ndarray
    transport_m3_per_day: np.ndarray
    district_locations: dict[str, Location]
    producer_locations: dict[str, Location]
    producer_weights: np.ndarray


def synthetic_registry(districts: int, producers: int, patients: int, seed: int) -> Registry:
    rng = np.random.default_rng(seed)

    def locations(prefix: str, n: int) -> dict[str, Location]:
        lat, lon = rng.uniform(*LATITUDES, n), rng.uniform(*LONGITUDES, n)
        return {
            f"{prefix}{i:05d}": Location(float(a), float(b))
            for i, (a, b) in enumerate(zip(lat, lon, strict=True))
        }

    district_locations = locations("D", districts)
    population = rng.lognormal(math.log(20_000), 1.0, districts).round()
    beds = np.clip(rng.lognormal(math.log(60), 0.8, districts), 5, 1500).round()
    # Supply scaled to the scenario's mean need per person, so that gaps are mixed.
    need_per_person = patients * 4.32 / population.sum()
    typical_need = population * need_per_person
    onsite = np.where(
        rng.random(districts) < 0.25, typical_need * rng.uniform(0.2, 0.8, districts), 0.0
    )
    contracted = typical_need * rng.uniform(0.3, 1.3, districts)
    transport = typical_need * rng.uniform(0.3, 1.5, districts)
    storage = typical_need * rng.uniform(0.0, 4.0, districts)
    return Registry(
        districts=list(district_locations),
        population=population,
        beds_oxygen=beds,
        onsite_m3_per_day=onsite,
        storage_m3=storage,
        contracted_m3_per_day=contracted,
        transport_m3_per_day=transport,
        district_locations=district_locations,
        producer_locations=locations("P", producers),
        producer_weights=rng.gamma(2.0, 1.0, producers),
    )


def scenario_with_gaps(registry: Registry, scenario: Scenario) -> tuple[float, float]:
    """The engine: one spread scenario and its gap table; returns (need, gap) totals."""
    weights = dict(zip(registry.districts, registry.population.tolist(), strict=True))
    report = run_scenario(scenario, weights)
    supplies = [
        DistrictSupply(code, float(c), float(t), float(s), float(o))
        for code, c, t, s, o in zip(
            registry.districts,
            registry.contracted_m3_per_day,
            registry.transport_m3_per_day,
            registry.storage_m3,
            registry.onsite_m3_per_day,
            strict=True,
        )
    ]
    rows = gap_table(report, supplies)
    return report.total.oxygen_nm3_per_day, sum(r.gap_nm3_per_day for r in rows)


def loop_with_gaps(registry: Registry, patients: int) -> tuple[float, float]:
    """The straightforward loop: each district's patients, need, PPE and gap in Python."""
    total_population = float(registry.population.sum())
    need_total = gap_total = 0.0
    ppe_total: dict[str, int] = dict.fromkeys(PPE_PER_HEALTH_WORKER, 0)
    for i in range(len(registry.districts)):
        cases = round(patients * float(registry.population[i]) / total_population)
        severe = round(cases * ESFT_MIX.severe)
        critical = round(cases * ESFT_MIX.critical)
        need = (
            severe * SEVERE_L_PER_MIN + critical * CRITICAL_L_PER_MIN
        ) * M3_PER_DAY_PER_L_PER_MIN
        workers = severe + critical
        for item, per_worker in PPE_PER_HEALTH_WORKER.items():
            ppe_total[item] += workers * per_worker
        ppe_total["medical_masks"] += MEDICAL_MASKS_PER_INPATIENT * (severe + critical)
        delivered = min(
            float(registry.contracted_m3_per_day[i]), float(registry.transport_m3_per_day[i])
        )
        available = float(registry.onsite_m3_per_day[i]) + delivered
        need_total += need
        gap_total += max(0.0, need - available)
    return need_total, gap_total


def engine_per_district(registry: Registry, patients: int) -> tuple[float, float]:
    """The engine called once per district, unspread (what a naive caller would write)."""
    total_population = float(registry.population.sum())
    need_total = gap_total = 0.0
    for i, code in enumerate(registry.districts):
        cases = round(patients * float(registry.population[i]) / total_population)
        report = run_scenario(Scenario(cases), {code: 1.0})
        supply = DistrictSupply(
            code,
            float(registry.contracted_m3_per_day[i]),
            float(registry.transport_m3_per_day[i]),
            float(registry.storage_m3[i]),
            float(registry.onsite_m3_per_day[i]),
        )
        [row] = gap_table(report, [supply])
        need_total += row.need_nm3_per_day
        gap_total += row.gap_nm3_per_day
    return need_total, gap_total


def supply_network(registry: Registry, scenario: Scenario) -> SupplyNetwork:
    """The N-1 network: districts at the scenario's need, producers sharing 1.2× net need."""
    weights = dict(zip(registry.districts, registry.population.tolist(), strict=True))
    report = run_scenario(scenario, weights)
    nodes = tuple(
        DemandNode(code, result.oxygen_nm3_per_day, float(s), float(o))
        for (code, result), s, o in zip(
            report.districts.items(),
            registry.storage_m3,
            registry.onsite_m3_per_day,
            strict=True,
        )
    )
    net_need = sum(n.net_need_nm3_per_day for n in nodes)
    weights_p = registry.producer_weights
    capacity = weights_p / weights_p.sum() * CAPACITY_OVER_NEED * net_need
    sources = tuple(
        Source(code, float(c))
        for code, c in zip(registry.producer_locations, capacity, strict=True)
    )
    links = nearest_links(
        registry.district_locations,
        registry.producer_locations,
        transport_nm3_per_day=transport_limit,
    )
    return SupplyNetwork(nodes, sources, links)


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="500 districts, 30 producers")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--patients", type=int, default=500_000, help="cases under treatment nationally"
    )
    args = parser.parse_args(argv)
    districts, producers = (500, 30) if args.quick else (5000, 300)

    registry, t_build = timed(
        lambda: synthetic_registry(districts, producers, args.patients, args.seed)
    )
    scenario = Scenario(args.patients)
    print(
        f"registry: {districts} districts, {producers} producers, {args.patients:,} patients "
        f"(ESFT mix); built in {t_build:.2f} s"
    )

    (need, gap), t_scenario = timed(lambda: scenario_with_gaps(registry, scenario))
    (loop_need, loop_gap), t_loop = timed(lambda: loop_with_gaps(registry, args.patients))
    (engine_need, engine_gap), t_engine = timed(
        lambda: engine_per_district(registry, args.patients)
    )

    network, t_network = timed(lambda: supply_network(registry, scenario))
    impacts, t_n1 = timed(lambda: n_minus_1(network))
    greedy, t_greedy = timed(lambda: [greedy_shortage(network, s.code) for s in network.sources])

    print()
    print(f"{'run':<52}{'ours s':>9}{'loop s':>9}{'ours/loop':>11}")
    rows = [
        ("(a) scenario + gap table vs plain per-district loop", t_scenario, t_loop),
        ("(a) scenario + gap table vs engine per district", t_scenario, t_engine),
        ("(b) N-1, warm LP vs greedy loop per producer", t_n1, t_greedy),
    ]
    for label, ours, loop in rows:
        print(f"{label:<52}{ours:>9.3f}{loop:>9.3f}{ours / loop:>11.2f}")
    print()
    print(f"{'totals':<52}{'need m³/d':>14}{'gap m³/d':>14}")
    print(f"{'  engine, spread (controlled rounding)':<52}{need:>14,.0f}{gap:>14,.0f}")
    print(
        f"{'  plain loop (each district rounded alone)':<52}{loop_need:>14,.0f}{loop_gap:>14,.0f}"
    )
    print(f"{'  engine per district':<52}{engine_need:>14,.0f}{engine_gap:>14,.0f}")
    n1_total = sum(i.total_shortfall_nm3_per_day for i in impacts)
    print(
        f"\nN-1 network: {len(network.links):,} links, built in {t_network:.2f} s; shortfall "
        f"summed over {len(impacts)} outages: LP {n1_total:,.0f} m³/day, greedy "
        f"{sum(greedy):,.0f} m³/day."
    )
    missed = []
    if t_scenario >= SCENARIO_TARGET_S:
        missed.append(f"scenario {t_scenario:.2f} s ≥ {SCENARIO_TARGET_S:g} s")
    if t_n1 >= N_MINUS_1_TARGET_S:
        missed.append(f"N-1 {t_n1:.2f} s ≥ {N_MINUS_1_TARGET_S:g} s")
    print(
        f"targets: scenario < {SCENARIO_TARGET_S:g} s, N-1 < {N_MINUS_1_TARGET_S:g} s: "
        + ("MISSED: " + "; ".join(missed) if missed else "met")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
