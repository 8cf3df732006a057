"""Allocation planning: the model, the HiGHS allocation, the greedy baseline, the checker."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oxyflow.core.network import Location
from oxyflow.core.planning.allocation import OPTIMALITY_SCOPE, allocate
from oxyflow.core.planning.checker import check_allocation
from oxyflow.core.planning.greedy import greedy_allocate
from oxyflow.core.planning.model import (
    AllocationPlan,
    Delivery,
    Facility,
    FacilityStock,
    Fleet,
    Link,
    PlanningError,
    PlanningProblem,
    Producer,
    Product,
    ProductKind,
    Shortage,
    SolveStatus,
    TransportCapacity,
    candidate_links,
)

LOX = Product.lox()
CYL = Product("CYL-50L", ProductKind.CYLINDER, gas_nm3_per_unit=10.0, cost_per_unit_km=2.0)


def lox_stock(stock: float, storage: float, safety: float, *demand: float) -> FacilityStock:
    return FacilityStock("LOX", stock, storage, safety, demand)


def at(lon: float) -> Location:
    return Location(0.0, lon)


def two_producers_three_facilities() -> PlanningProblem:
    """P1 makes 60 kg/day, P2 90; F1 is next to P1, F2 next to P2, F3 between (nearer P2)."""
    producers = (
        Producer("P1", at(0.0), {"LOX": 60}),
        Producer("P2", at(1.0), {"LOX": 90}),
    )
    facilities = (
        Facility("F1", at(0.1), 1, (lox_stock(50, 60, 20, 40, 40),)),
        Facility("F2", at(0.9), 1, (lox_stock(20, 200, 20, 60, 60),)),
        Facility("F3", at(0.5), 1, (lox_stock(0, 100, 10, 30, 30),)),
    )
    links = (
        Link("P1", "F1", 10),
        Link("P2", "F1", 90),
        Link("P1", "F2", 90),
        Link("P2", "F2", 10),
        Link("P1", "F3", 50),
        Link("P2", "F3", 40),
    )
    return PlanningProblem(2, (LOX,), facilities, producers, links)


def flows(plan: AllocationPlan) -> dict[tuple[str, str, int], float]:
    return {(d.producer, d.facility, d.day): d.quantity for d in plan.deliveries}


# --- hand-checked cases -------------------------------------------------------------------


def test_it_finds_the_hand_computed_cheapest_allocation() -> None:
    # Needs: F1 10 then 40 (its tank holds only 60), F2 60 and 60, F3 40 (opening deficit
    # of 10) then 30. P2 is full both days (F2 60 + F3 30), so F3's last 10 kg on day 0
    # come from P1 at 50/kg rather than 40: 10·10 + 40·10 + 120·10 + 60·40 + 10·50 = 4600.
    problem = two_producers_three_facilities()
    plan = allocate(problem)
    assert plan.status is SolveStatus.OPTIMAL
    assert plan.scope == OPTIMALITY_SCOPE
    assert flows(plan) == pytest.approx(
        {
            ("P1", "F1", 0): 10,
            ("P1", "F1", 1): 40,
            ("P1", "F3", 0): 10,
            ("P2", "F2", 0): 60,
            ("P2", "F2", 1): 60,
            ("P2", "F3", 0): 30,
            ("P2", "F3", 1): 30,
        }
    )
    assert plan.transport_cost == pytest.approx(4600)
    assert plan.shortages == ()
    assert plan.stocks == {
        ("F1", "LOX"): pytest.approx((20, 20)),
        ("F2", "LOX"): pytest.approx((20, 20)),
        ("F3", "LOX"): pytest.approx((10, 10)),
    }
    assert check_allocation(problem, plan).ok


@pytest.mark.parametrize("icu_priority", [3.0, 1.01])
def test_it_reports_shortage_per_facility_day_and_serves_the_higher_priority_first(
    icu_priority: float,
) -> None:
    producers = (Producer("P1", at(0.0), {"LOX": 30}),)
    facilities = (
        # Tanks of 30 kg: nothing can be delivered ahead for the next day. The ICU is
        # farther: only its priority makes it worth serving first.
        Facility("ward", at(0.1), 1, (lox_stock(10, 30, 10, 20, 20),)),
        Facility("icu", at(0.2), icu_priority, (lox_stock(10, 30, 10, 20, 20),)),
    )
    links = (Link("P1", "ward", 10), Link("P1", "icu", 20))
    problem = PlanningProblem(2, (LOX,), facilities, producers, links)
    plan = allocate(problem)
    assert plan.status is SolveStatus.OPTIMAL
    assert [(s.facility, s.day, s.quantity) for s in plan.shortages] == [
        ("ward", 0, pytest.approx(10)),
        ("ward", 1, pytest.approx(10)),
    ]
    assert plan.shortage_nm3 == pytest.approx(20 * LOX.gas_nm3_per_unit)
    assert flows(plan)[("P1", "icu", 0)] == pytest.approx(20)
    assert check_allocation(problem, plan).ok


def test_a_tank_too_small_for_safety_plus_a_day_reports_the_rest_as_shortage() -> None:
    # 20 kg safety + 15 kg a day in a 30 kg tank: at most 10 kg fit each morning.
    producers = (Producer("P1", at(0.0), {"LOX": 1000}),)
    facilities = (Facility("F1", at(0.1), 1, (lox_stock(20, 30, 20, 15, 15),)),)
    problem = PlanningProblem(2, (LOX,), facilities, producers, (Link("P1", "F1", 1),))
    plan = allocate(problem)
    assert [(s.day, s.quantity) for s in plan.shortages] == [
        (0, pytest.approx(5)),
        (1, pytest.approx(5)),
    ]
    assert flows(plan) == {("P1", "F1", 0): pytest.approx(10), ("P1", "F1", 1): pytest.approx(10)}
    assert check_allocation(problem, plan).ok


def test_it_respects_the_fleet_and_counts_cylinders_apart_from_lox() -> None:
    producers = (Producer("P1", at(0.0), {"LOX": 1000, "CYL-50L": 100}),)
    facilities = (
        Facility(
            "F1",
            at(0.1),
            1,
            (
                lox_stock(0, 500, 0, 100),
                FacilityStock("CYL-50L", 0, 50, 0, (30,)),
            ),
        ),
    )
    fleet = Fleet((TransportCapacity("P1", "LOX", 1, 2, 40),))  # 80 kg/day
    problem = PlanningProblem(1, (LOX, CYL), facilities, producers, (Link("P1", "F1", 5),), fleet)
    plan = allocate(problem)
    assert flows(plan)[("P1", "F1", 0)] in (pytest.approx(80), pytest.approx(30))
    by_product = {d.product: d.quantity for d in plan.deliveries}
    assert by_product == {"LOX": pytest.approx(80), "CYL-50L": pytest.approx(30)}
    assert [(s.product, s.quantity) for s in plan.shortages] == [("LOX", pytest.approx(20))]
    assert plan.transport_cost == pytest.approx(80 * 5 + 30 * 5 * 2)
    assert check_allocation(problem, plan).ok


def test_greedy_takes_from_the_nearest_producer_and_passes_the_checker() -> None:
    problem = two_producers_three_facilities()
    plan = greedy_allocate(problem)
    assert check_allocation(problem, plan).ok
    assert plan.transport_cost >= allocate(problem).transport_cost - 1e-6
    assert flows(plan)[("P1", "F1", 0)] == pytest.approx(10)


# --- the model ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: lox_stock(-1, 10, 0, 1), "stock.stock"),
        (lambda: lox_stock(5, 10, 11, 1), "stock.safety_level"),
        (lambda: lox_stock(5, 10, 1, float("nan")), "stock.demand_per_day"),
        (lambda: Facility("F", at(0), 0, ()), "facility.priority"),
        (lambda: Producer("P", at(0), {"LOX": -5}), "producer.capacity_per_day"),
        (lambda: Link("P", "F", -1), "link.distance_km"),
        (lambda: TransportCapacity("P", "LOX", -1, 1, 10), "transport.vehicles"),
        (lambda: Product("X", ProductKind.CYLINDER, 0), "product.gas_nm3_per_unit"),
    ],
)
def test_it_rejects_impossible_values_naming_the_field(build: object, field: str) -> None:
    with pytest.raises(PlanningError) as raised:
        build()  # type: ignore[operator]
    assert raised.value.field == field


def test_it_rejects_a_demand_that_does_not_cover_the_horizon() -> None:
    facility = Facility("F1", at(0), 1, (lox_stock(0, 10, 0, 1),))
    with pytest.raises(PlanningError, match="horizon has 2"):
        PlanningProblem(2, (LOX,), (facility,), (), ())


def test_it_rejects_a_link_to_an_unknown_producer() -> None:
    facility = Facility("F1", at(0), 1, (lox_stock(0, 10, 0, 1),))
    with pytest.raises(PlanningError) as raised:
        PlanningProblem(1, (LOX,), (facility,), (), (Link("nowhere", "F1", 1),))
    assert raised.value.field == "link.producer"


def test_candidate_links_are_the_k_nearest_plus_the_contracted() -> None:
    producers = tuple(Producer(f"P{i}", at(i * 0.1), {"LOX": 1}) for i in range(6))
    facility = Facility("F1", at(0.0), 1, (lox_stock(0, 10, 0, 1),))
    links = candidate_links((facility,), producers, [("P5", "F1")], k=2)
    assert [(lk.producer, lk.contracted) for lk in links] == [
        ("P0", False),
        ("P1", False),
        ("P5", True),
    ]
    # 0.1° of longitude on the equator is 11.1 km; × the road factor 1.3.
    assert links[1].distance_km == pytest.approx(11.119 * 1.3, rel=1e-3)


# --- the checker --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def solved() -> tuple[PlanningProblem, AllocationPlan]:
    problem = two_producers_three_facilities()
    return problem, allocate(problem)


def _with_delivery(plan: AllocationPlan, index: int, **changes: object) -> AllocationPlan:
    deliveries = list(plan.deliveries)
    deliveries[index] = dataclasses.replace(deliveries[index], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(plan, deliveries=tuple(deliveries))


def test_checker_rejects_more_than_a_producer_makes(
    solved: tuple[PlanningProblem, AllocationPlan],
) -> None:
    problem, plan = solved
    broken = dataclasses.replace(
        plan, deliveries=(*plan.deliveries, Delivery("P1", "F3", "LOX", 1, 30))
    )
    result = check_allocation(problem, broken)
    assert "production" in result.rules()
    assert any(
        v.subject == "P1 LOX" and v.day == 1 and "kg" in v.message for v in result.violations
    )


def test_checker_rejects_a_delivery_that_overflows_storage(
    solved: tuple[PlanningProblem, AllocationPlan],
) -> None:
    problem, plan = solved
    index = next(i for i, d in enumerate(plan.deliveries) if d.facility == "F1" and d.day == 0)
    result = check_allocation(problem, _with_delivery(plan, index, quantity=11.0))
    assert "storage" in result.rules()


def test_checker_rejects_stock_below_safety_not_reported_as_shortage(
    solved: tuple[PlanningProblem, AllocationPlan],
) -> None:
    problem, plan = solved
    index = next(i for i, d in enumerate(plan.deliveries) if d.facility == "F2" and d.day == 1)
    result = check_allocation(problem, _with_delivery(plan, index, quantity=50.0))
    assert {"safety", "conservation"} <= result.rules()
    safety = next(v for v in result.violations if v.rule == "safety")
    assert (safety.subject, safety.day) == ("F2 LOX", 1)


def test_checker_rejects_stocks_and_totals_that_do_not_add_up(
    solved: tuple[PlanningProblem, AllocationPlan],
) -> None:
    problem, plan = solved
    stocks = dict(plan.stocks)
    stocks[("F3", "LOX")] = (10.0, 99.0)
    assert (
        "conservation"
        in check_allocation(problem, dataclasses.replace(plan, stocks=stocks)).rules()
    )
    assert (
        "conservation"
        in check_allocation(problem, dataclasses.replace(plan, transport_cost=1.0)).rules()
    )


def test_checker_rejects_a_delivery_off_the_candidate_links_and_an_inflated_shortage(
    solved: tuple[PlanningProblem, AllocationPlan],
) -> None:
    problem, plan = solved
    off_link = Delivery("P1", "nowhere", "LOX", 0, 1)
    assert (
        "delivery"
        in check_allocation(
            problem, dataclasses.replace(plan, deliveries=(*plan.deliveries, off_link))
        ).rules()
    )
    inflated = Shortage("F1", "LOX", 0, 500, 500 * LOX.gas_nm3_per_unit)
    assert (
        "shortage"
        in check_allocation(problem, dataclasses.replace(plan, shortages=(inflated,))).rules()
    )


def test_checker_rejects_more_than_the_fleet_moves() -> None:
    problem = two_producers_three_facilities()
    plan = allocate(problem)
    fleet = Fleet((TransportCapacity("P2", "LOX", 1, 1, 50),))
    result = check_allocation(dataclasses.replace(problem, fleet=fleet), plan)
    assert "transport" in result.rules()


# --- properties ---------------------------------------------------------------------------


@st.composite
def problems(draw: st.DrawFn, *, sufficient: bool = False) -> PlanningProblem:
    days = draw(st.integers(1, 3))
    n_producers = draw(st.integers(1, 3))
    n_facilities = draw(st.integers(1, 4))
    amount = st.integers(0, 50).map(float)
    facilities = []
    for i in range(n_facilities):
        stocks = []
        for product in (LOX, CYL):
            if not draw(st.booleans()) and product is CYL:
                continue
            safety = draw(amount)
            demand = tuple(draw(amount) for _ in range(days))
            storage = safety + draw(amount) + (max(demand) if sufficient else 0.0)
            stock = draw(st.floats(0, storage, allow_nan=False))
            stocks.append(FacilityStock(product.code, stock, storage, safety, demand))
        priority = draw(st.sampled_from([1.0, 2.0, 5.0]))
        facilities.append(Facility(f"F{i}", at(draw(st.floats(0, 2))), priority, tuple(stocks)))
    need = {
        p.code: sum(
            s.safety_level + max(s.demand_per_day)
            for f in facilities
            for s in f.stocks
            if s.product == p.code
        )
        for p in (LOX, CYL)
    }
    producers = []
    capacities = []
    for j in range(n_producers):
        capacity = {
            p.code: draw(amount) + (need[p.code] if sufficient and j == 0 else 0.0)
            for p in (LOX, CYL)
        }
        producers.append(Producer(f"P{j}", at(draw(st.floats(0, 2))), capacity))
        if draw(st.booleans()) and not (sufficient and j == 0):
            capacities.append(TransportCapacity(f"P{j}", "LOX", draw(st.integers(0, 2)), 1, 20))
    links = candidate_links(facilities, producers, k=n_producers)
    return PlanningProblem(
        days, (LOX, CYL), tuple(facilities), tuple(producers), links, Fleet(tuple(capacities))
    )


@given(problems())
def test_every_plan_passes_the_checker(problem: PlanningProblem) -> None:
    plan = allocate(problem)
    assert plan.status is SolveStatus.OPTIMAL
    result = check_allocation(problem, plan)
    assert result.ok, result.violations
    greedy = greedy_allocate(problem)
    greedy_result = check_allocation(problem, greedy)
    assert greedy_result.ok, greedy_result.violations
    # The LP never leaves more weighted shortage than the greedy baseline.
    assert plan.weighted_shortage_nm3 <= greedy.weighted_shortage_nm3 + 1e-6


@given(problems(sufficient=True))
def test_when_supply_and_transport_suffice_no_facility_ends_below_safety(
    problem: PlanningProblem,
) -> None:
    plan = allocate(problem)
    assert plan.shortages == ()
    for f in problem.facilities:
        for s in f.stocks:
            assert min(plan.stocks[(f.id, s.product)]) >= s.safety_level - 1e-6
    assert check_allocation(problem, plan).ok


@given(problems(), st.integers(1, 50))
def test_same_problem_and_iteration_limit_give_the_same_plan(
    problem: PlanningProblem, iterations: int
) -> None:
    assert allocate(problem) == allocate(problem)
    # A limit that stops the solver before it has a point raises; either way, the same.
    assert _outcome(problem, iterations) == _outcome(problem, iterations)


def _outcome(problem: PlanningProblem, iterations: int) -> AllocationPlan | str:
    try:
        return allocate(problem, iteration_limit=iterations)
    except PlanningError as error:
        return str(error)


def test_a_limit_reached_before_any_plan_raises_a_planning_error() -> None:
    with pytest.raises(PlanningError, match="without a plan"):
        allocate(two_producers_three_facilities(), iteration_limit=0)


def test_a_seeded_national_instance_solves_the_same_twice_and_beats_the_greedy() -> None:
    from bench.bench_allocation import synthetic_problem

    problem = synthetic_problem(300, 20, 7, seed=7, supply_ratio=0.9)
    plan = allocate(problem)
    assert plan.status is SolveStatus.OPTIMAL
    assert plan == allocate(problem)
    assert check_allocation(problem, plan).ok
    greedy = greedy_allocate(problem)
    assert check_allocation(problem, greedy).ok
    assert plan.shortages  # supply is short: shortages are reported, not raised
    assert plan.weighted_shortage_nm3 <= greedy.weighted_shortage_nm3
