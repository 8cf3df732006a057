"""Allocation: which producer supplies which facility, how much of each product, which day.

A linear programme solved with HiGHS over the problem's candidate links and horizon. For
each facility *f*, product *p* and day *d* (end-of-day stock ``s``, deliveries ``x`` on
the links into *f*, shortage ``u``, demand ``D``, storage ``S``, safety level ``L``)::

    s[d] = s[d-1] + Σ x[link, d] - D[d] + u[d]      stock balance (s[-1] = stock now)
    s[d-1] + Σ x[link, d] ≤ S                       deliveries fit in the tank or rack
                                                    (posed as bounds, see the code)
    s[d] ≥ L                                        never below safety …
    0 ≤ u[d] ≤ D[d] (+ the opening deficit on day 0) … except by the reported shortage

and for each producer, product and day ``Σ x ≤ min(production capacity, fleet capacity)``.
Deliveries arrive before the day's consumption and the whole day's inflow must fit in
storage at once (conservative: several drops a day would need less room).

Products share no constraint, so each product is its own LP, built and solved in turn
(faster than one LP for all, and each is scaled on its own). The objective is
lexicographic through one weight: ``M · Σ priority · u`` first, then transport cost scaled
to at most 1 per unit. Removing one unit of shortage needs at most one augmenting path
through each producer-day once, so ``M`` above twice the producer-days (divided by the
smallest priority and the smallest gap between priorities) makes any reduction of
weighted shortage worth its transport cost.
Reported shortages are also weighted by Nm³ per unit, a constant per product.

Each LP is built in bulk (numpy, column-wise) and solved by HiGHS's interior point
method with crossover to a vertex, on one thread with a fixed seed: the same problem gives
the same plan. The plan is optimal for this model, i.e. over the candidate links only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import highspy
import numpy as np
import numpy.typing as npt

from oxyflow.core.planning.model import (
    AllocationPlan,
    Delivery,
    PlanningError,
    PlanningProblem,
    Shortage,
    SolveStatus,
)

OPTIMALITY_SCOPE = "optimal for this model (candidate links only)"
# Values below this (in units of issue) are solver noise and are reported as zero.
_ZERO = 1e-7

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass
class _ProductLP:
    """The LP of one product (products share no constraint, so each is solved alone)."""

    problem: PlanningProblem
    highs: highspy.Highs
    # One row per (facility, product) "position"; states are position × day.
    position_facility: list[str]
    position_product: list[str]
    position_weight: FloatArray  # priority × Nm³ per unit
    position_gas: FloatArray
    # One entry per arc (link × product); flow columns are arc × day.
    arc_position: IntArray
    arc_producer: list[str]
    arc_cost: FloatArray
    n_flow: int
    n_state: int

    def solve(
        self, *, time_limit_s: float | None = None, iteration_limit: int | None = None
    ) -> AllocationPlan:
        """Run HiGHS and read the plan back; a limit reached returns the point it stopped at.

        Raises :class:`PlanningError` if HiGHS ends without a plan (a limit reached before
        it had any point, or a solver failure).
        """
        h = self.highs
        if time_limit_s is not None:
            h.setOptionValue("time_limit", float(time_limit_s))
        if iteration_limit is not None:
            h.setOptionValue("ipm_iteration_limit", int(iteration_limit))
            h.setOptionValue("simplex_iteration_limit", int(iteration_limit))
        h.run()
        model_status = h.getModelStatus()
        status = _STATUS.get(model_status)
        solution = h.getSolution()
        if status is None or not solution.value_valid:
            # Always feasible (shortage absorbs any need), so anything else is a failure.
            raise PlanningError(
                "allocation", f"HiGHS ended {h.modelStatusToString(model_status)} without a plan"
            )
        values = np.asarray(solution.col_value, dtype=np.float64)
        info = h.getInfo()
        iterations = int(info.ipm_iteration_count) + int(info.crossover_iteration_count)
        iterations += int(info.simplex_iteration_count)
        return self._plan(values, status, iterations)

    def _plan(self, values: FloatArray, status: SolveStatus, iterations: int) -> AllocationPlan:
        days = self.problem.days
        flow = values[: self.n_flow].copy()
        stock = values[self.n_flow : self.n_flow + self.n_state]
        short = values[self.n_flow + self.n_state :].copy()
        flow[flow < _ZERO] = 0.0
        short[short < _ZERO] = 0.0

        deliveries: list[Delivery] = []
        for col in np.flatnonzero(flow).tolist():
            arc, day = divmod(col, days)
            q = int(self.arc_position[arc])
            deliveries.append(
                Delivery(
                    producer=self.arc_producer[arc],
                    facility=self.position_facility[q],
                    product=self.position_product[q],
                    day=day,
                    quantity=float(flow[col]),
                )
            )
        stocks = {
            (self.position_facility[q], self.position_product[q]): tuple(
                float(v) for v in stock[q * days : (q + 1) * days]
            )
            for q in range(len(self.position_facility))
        }
        shortages: list[Shortage] = []
        for col in np.flatnonzero(short).tolist():
            q, day = divmod(col, days)
            shortages.append(
                Shortage(
                    facility=self.position_facility[q],
                    product=self.position_product[q],
                    day=day,
                    quantity=float(short[col]),
                    nm3=float(short[col] * self.position_gas[q]),
                )
            )
        per_state_gas = np.repeat(self.position_gas, days)
        per_state_weight = np.repeat(self.position_weight, days)
        return AllocationPlan(
            deliveries=tuple(deliveries),
            stocks=stocks,
            shortages=tuple(shortages),
            shortage_nm3=float(short @ per_state_gas),
            weighted_shortage_nm3=float(short @ per_state_weight),
            transport_cost=float(flow @ np.repeat(self.arc_cost, days)),
            status=status,
            scope=OPTIMALITY_SCOPE,
            iterations=iterations,
        )


_STATUS = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: SolveStatus.ITERATION_LIMIT,
}


def _build_product_lp(problem: PlanningProblem) -> _ProductLP:
    """Build the LP for ``problem`` whose facilities stock a single product."""
    days = problem.days
    products = {p.code: p for p in problem.products}

    # Positions: (facility, product) pairs the facility stocks.
    position_of: dict[tuple[str, str], int] = {}
    pos_facility: list[str] = []
    pos_product: list[str] = []
    weight: list[float] = []
    gas: list[float] = []
    priority: list[float] = []
    stock0: list[float] = []
    storage: list[float] = []
    safety: list[float] = []
    demand_rows: list[tuple[float, ...]] = []
    for f in problem.facilities:
        for s in f.stocks:
            position_of[(f.id, s.product)] = len(pos_facility)
            pos_facility.append(f.id)
            pos_product.append(s.product)
            g = products[s.product].gas_nm3_per_unit
            gas.append(g)
            weight.append(f.priority * g)
            priority.append(f.priority)
            stock0.append(s.stock)
            storage.append(s.storage_capacity)
            safety.append(s.safety_level)
            demand_rows.append(s.demand_per_day)
    n_pos = len(pos_facility)
    n_state = n_pos * days
    demand = np.array(demand_rows, dtype=np.float64).reshape(n_pos, days)
    stock0_a = np.array(stock0, dtype=np.float64)
    storage_a = np.array(storage, dtype=np.float64)
    safety_a = np.array(safety, dtype=np.float64)

    # Supply rows: (producer, product) pairs with capacity; bound = min(production, fleet).
    transport = {(c.producer, c.product): c.per_day for c in problem.fleet.capacities}
    supply_of: dict[tuple[str, str], int] = {}
    supply_bound: list[float] = []
    stocked_codes = set(pos_product)
    for p in problem.producers:
        for code, capacity in p.capacity_per_day.items():
            if code not in stocked_codes:
                continue
            bound = min(capacity, transport.get((p.id, code), math.inf))
            if bound > 0:
                supply_of[(p.id, code)] = len(supply_bound)
                supply_bound.append(bound)
    n_supply = len(supply_bound)

    # Arcs: link × product where the producer supplies it and the facility stocks it.
    arc_pos: list[int] = []
    arc_supply: list[int] = []
    arc_producer: list[str] = []
    arc_cost: list[float] = []
    stocked: dict[str, list[str]] = {
        f.id: [s.product for s in f.stocks] for f in problem.facilities
    }
    for link in problem.links:
        for code in stocked[link.facility]:
            r = supply_of.get((link.producer, code))
            if r is None:
                continue
            arc_pos.append(position_of[(link.facility, code)])
            arc_supply.append(r)
            arc_producer.append(link.producer)
            arc_cost.append(link.cost_per_unit(products[code]))
    n_arc = len(arc_pos)
    arc_pos_a = np.array(arc_pos, dtype=np.int64)
    arc_supply_a = np.array(arc_supply, dtype=np.int64)
    arc_cost_a = np.array(arc_cost, dtype=np.float64)

    # Rows: balance (n_state, equality), then supply (n_supply × days).
    inf = highspy.kHighsInf
    balance_rhs = -demand.copy()
    balance_rhs[:, 0] += stock0_a
    row_lower = np.concatenate([balance_rhs.ravel(), np.full(n_supply * days, -inf)])
    row_upper = np.concatenate([balance_rhs.ravel(), np.repeat(supply_bound, days)])
    supply_row0 = n_state

    # Columns, CSC. Flow arc a on day d: -1 in balance(q, d), +1 in supply(r, d).
    day = np.tile(np.arange(days, dtype=np.int64), n_arc)
    flow_idx = np.empty((n_arc * days, 2), dtype=np.int32)
    flow_idx[:, 0] = np.repeat(arc_pos_a * days, days) + day
    flow_idx[:, 1] = supply_row0 + np.repeat(arc_supply_a * days, days) + day
    flow_val = np.tile(np.array([-1.0, 1.0]), n_arc * days)
    n_flow = n_arc * days

    # Stock s(q, d): +1 in balance(q, d), -1 in balance(q, d+1) unless d is the last day.
    state_all = np.arange(n_state, dtype=np.int64)
    last = (state_all % days) == days - 1
    stock_counts = np.where(last, 1, 2)
    stock_start = np.concatenate([[0], np.cumsum(stock_counts)[:-1]]).astype(np.int32)
    stock_idx = np.empty(int(stock_counts.sum()), dtype=np.int32)
    stock_val = np.empty(stock_idx.size, dtype=np.float64)
    stock_idx[stock_start] = state_all
    stock_val[stock_start] = 1.0
    inner = np.flatnonzero(~last)
    stock_idx[stock_start[inner] + 1] = state_all[inner] + 1
    stock_val[stock_start[inner] + 1] = -1.0
    # Storage as bounds, not rows: s[d] ≤ S - D[d] and u[d] ≥ L + D[d] - S. Equivalent to
    # s[d-1] + Σ x ≤ S (i.e. s[d] - u[d] ≤ S - D[d]) at the optimum: shortage is only
    # worth reporting on a day that ends at the safety level, and among equal plans one
    # always has that form; halving the rows makes the LP a network flow.
    headroom = storage_a[:, None] - demand
    stock_ub = np.maximum(safety_a[:, None], headroom)
    short_lb = np.maximum(0.0, safety_a[:, None] - headroom)

    # Shortage u(q, d): -1 in balance(q, d); at most the day's demand plus, on day 0, the
    # opening deficit below safety.
    short_ub = demand.copy()
    short_ub[:, 0] += np.maximum(0.0, safety_a - stock0_a)

    # Products share no constraint, so each is scaled on its own (better conditioned):
    # transport to ≤ 1 per unit, shortage × priority × M_p (see module docstring).
    codes = [p.code for p in problem.products]
    pos_prod = np.array([codes.index(c) for c in pos_product], dtype=np.int64)
    arc_prod = pos_prod[arc_pos_a] if n_arc else np.zeros(0, dtype=np.int64)
    max_cost = np.zeros(len(codes))
    np.maximum.at(max_cost, arc_prod, arc_cost_a)
    max_cost[max_cost <= 0] = 1.0
    supply_prod = np.array([codes.index(c) for (_, c) in supply_of], dtype=np.int64)
    n_supply_per_product = np.bincount(supply_prod, minlength=len(codes)).astype(np.float64)
    priority_a = np.array(priority, dtype=np.float64)
    # Smallest step in weighted shortage: the smallest priority, or the smallest gap
    # between two priorities (moving shortage from one facility to a more urgent one).
    step = np.ones(len(codes))
    for c in range(len(codes)):
        levels = np.unique(priority_a[pos_prod == c])
        if levels.size:
            step[c] = min(float(levels[0]), float(np.diff(levels).min(initial=np.inf)))
    big_m = (2.0 * n_supply_per_product * days + 1.0) / step
    weight_a = np.array(weight, dtype=np.float64)

    h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ bare
    h.setOptionValue("output_flag", False)
    # Interior point then crossover to a vertex: 31.5 s on the benchmark instance where
    # serial dual simplex (devex pricing) took 47 s; both deterministic on one thread.
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "on")
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("presolve", "on")
    # Devex pricing for any simplex clean-up: faster than dual steepest edge here.
    h.setOptionValue("simplex_dual_edge_weight_strategy", 1)
    h.addRows(n_state + n_supply * days, row_lower, row_upper, 0, [], [], [])
    if n_flow:
        h.addCols(
            n_flow,
            np.repeat(arc_cost_a / max_cost[arc_prod], days),
            np.zeros(n_flow),
            np.full(n_flow, inf),
            2 * n_flow,
            np.arange(0, 2 * n_flow, 2, dtype=np.int32),
            flow_idx.ravel(),
            flow_val,
        )
    if n_state:
        h.addCols(
            n_state,
            np.zeros(n_state),
            np.repeat(safety_a, days),
            stock_ub.ravel(),
            stock_idx.size,
            stock_start,
            stock_idx,
            stock_val,
        )
        h.addCols(
            n_state,
            np.repeat(big_m[pos_prod] * priority_a, days),
            short_lb.ravel(),
            short_ub.ravel(),
            n_state,
            np.arange(n_state, dtype=np.int32),
            np.arange(n_state, dtype=np.int32),
            np.full(n_state, -1.0),
        )
    return _ProductLP(
        problem=problem,
        highs=h,
        position_facility=pos_facility,
        position_product=pos_product,
        position_weight=weight_a,
        position_gas=np.array(gas, dtype=np.float64),
        arc_position=arc_pos_a,
        arc_producer=arc_producer,
        arc_cost=arc_cost_a,
        n_flow=n_flow,
        n_state=n_state,
    )


@dataclass
class AllocationModel:
    """The allocation LPs built for one problem, one per product, ready to solve.

    Kept apart from :func:`allocate` so the build and the solve can be timed separately.
    """

    problem: PlanningProblem
    parts: list[_ProductLP]

    @property
    def size(self) -> tuple[int, int, int]:
        """(columns, rows, nonzeros) summed over the products' LPs."""
        lps = [part.highs.getLp() for part in self.parts]
        return (
            sum(lp.num_col_ for lp in lps),
            sum(lp.num_row_ for lp in lps),
            sum(len(lp.a_matrix_.value_) for lp in lps),
        )

    def solve(
        self, *, time_limit_s: float | None = None, iteration_limit: int | None = None
    ) -> AllocationPlan:
        """Solve each product's LP in turn and merge the plans (limits span all of them)."""
        plans: list[AllocationPlan] = []
        spent_s, spent_iterations = 0.0, 0
        for part in self.parts:
            plan = part.solve(
                time_limit_s=None if time_limit_s is None else max(0.0, time_limit_s - spent_s),
                iteration_limit=(
                    None if iteration_limit is None else max(0, iteration_limit - spent_iterations)
                ),
            )
            spent_s += part.highs.getRunTime()
            spent_iterations += plan.iterations
            plans.append(plan)
        return _merge(plans, self.problem)


def build_model(problem: PlanningProblem) -> AllocationModel:
    """Build the allocation LPs for ``problem``, one per product (see the module docstring)."""
    parts = []
    for product in problem.products:
        facilities = tuple(
            replace(f, stocks=tuple(s for s in f.stocks if s.product == product.code))
            for f in problem.facilities
        )
        if any(f.stocks for f in facilities):
            parts.append(_build_product_lp(replace(problem, facilities=facilities)))
    return AllocationModel(problem=problem, parts=parts)


def _merge(plans: list[AllocationPlan], problem: PlanningProblem) -> AllocationPlan:
    stocks: dict[tuple[str, str], tuple[float, ...]] = {}
    for plan in plans:
        stocks.update(plan.stocks)
    # Keep the facility order of the problem whatever the product order.
    ordered = {
        (f.id, s.product): stocks[(f.id, s.product)] for f in problem.facilities for s in f.stocks
    }
    statuses = [plan.status for plan in plans]
    status = next((s for s in statuses if s is not SolveStatus.OPTIMAL), SolveStatus.OPTIMAL)
    return AllocationPlan(
        deliveries=tuple(d for plan in plans for d in plan.deliveries),
        stocks=ordered,
        shortages=tuple(s for plan in plans for s in plan.shortages),
        shortage_nm3=sum(plan.shortage_nm3 for plan in plans),
        weighted_shortage_nm3=sum(plan.weighted_shortage_nm3 for plan in plans),
        transport_cost=sum(plan.transport_cost for plan in plans),
        status=status,
        scope=OPTIMALITY_SCOPE,
        iterations=sum(plan.iterations for plan in plans),
    )


def allocate(
    problem: PlanningProblem,
    *,
    time_limit_s: float | None = None,
    iteration_limit: int | None = None,
) -> AllocationPlan:
    """Allocate supply to facilities over the horizon: least weighted shortage, then cost.

    Flows and stocks are in each product's unit (kg of LOX, cylinders); shortages per
    facility, product and day also in Nm³. Deterministic for a given problem and
    iteration limit (a wall-clock limit is not). ``status`` says whether the plan is
    optimal or a limit stopped the solver; ``scope`` that optimality is over the
    candidate links only. Raises :class:`PlanningError` only if HiGHS fails.
    """
    return build_model(problem).solve(time_limit_s=time_limit_s, iteration_limit=iteration_limit)
