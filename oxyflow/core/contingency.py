"""Supply allocation and N-1 contingency: who goes short if one producer stops.

The network is bipartite: sources (producers, depots) with a daily capacity, demand nodes
(districts or facilities) with a daily need, a usable reserve and on-site generation, and
links between them, each with the most the fleet can move on it per day and a cost per Nm³
(road km by default, see :func:`nearest_links`).

:func:`allocate` solves a transportation LP with one explicit shortage variable per node,
so a need that cannot be met is reported, never dropped: for every node
``supplied + shortage == max(0, need - onsite)``. The objective is lexicographic — least
total shortage first, then least transport cost — made exact by a shortage weight larger
than any transport path can cost (see ``_shortage_weight``).

:func:`n_minus_1` removes each source in turn (its capacity set to zero in the solved
HiGHS model, which warm-starts from the base basis) and reports which nodes go short, by
how much, and from which day their reserve no longer covers the shortfall.

All quantities are Nm³ of gas (per day for flows). Pure: no I/O, no clock; HiGHS is
silenced and the result is deterministic for a given network.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from oxyflow.core.network import DEFAULT_ROAD_FACTOR, EARTH_RADIUS_KM, Location, road_km

DEFAULT_HORIZON_DAYS = 14
DEFAULT_NEAREST_SOURCES = 10

# A value below this share of a node's need (or below 1e-6 Nm³/day) is solver noise: HiGHS
# meets constraints to ~1e-7 relative, and no ward counts oxygen to the millilitre.
_RELATIVE_TOLERANCE = 1e-7
_ABSOLUTE_TOLERANCE = 1e-6
# Rows of the distance matrix computed at once in nearest_links (bounds memory to ~5 MB
# per block at 300 sources).
_DISTANCE_BLOCK_ROWS = 2048


class ContingencyError(ValueError):
    """A network value breaks a rule. Attributes ``field``, ``value`` and ``rule``."""

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field} = {value!r}: {rule}")


def _finite_non_negative(field: str, value: float) -> None:
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise ContingencyError(field, value, "must be a finite number ≥ 0")


def _code(field: str, value: str) -> None:
    if not value or value != value.strip():
        raise ContingencyError(field, value, "must be a non-empty code without outer spaces")


@dataclass(frozen=True)
class DemandNode:
    """A district or facility that consumes oxygen.

    ``need_nm3_per_day`` is the projected consumption, ``onsite_nm3_per_day`` what it makes
    itself (PSA, concentrators), ``storage_nm3`` its usable reserve (above safety levels).
    """

    code: str
    need_nm3_per_day: float
    storage_nm3: float = 0.0
    onsite_nm3_per_day: float = 0.0

    def __post_init__(self) -> None:
        _code("node.code", self.code)
        _finite_non_negative(f"{self.code}.need_nm3_per_day", self.need_nm3_per_day)
        _finite_non_negative(f"{self.code}.storage_nm3", self.storage_nm3)
        _finite_non_negative(f"{self.code}.onsite_nm3_per_day", self.onsite_nm3_per_day)

    @property
    def net_need_nm3_per_day(self) -> float:
        """What must be delivered: need less on-site generation, never below zero."""
        return max(0.0, self.need_nm3_per_day - self.onsite_nm3_per_day)


@dataclass(frozen=True)
class Source:
    """A producer or depot that can ship ``capacity_nm3_per_day``."""

    code: str
    capacity_nm3_per_day: float

    def __post_init__(self) -> None:
        _code("source.code", self.code)
        _finite_non_negative(f"{self.code}.capacity_nm3_per_day", self.capacity_nm3_per_day)


@dataclass(frozen=True)
class Link:
    """A way to ship from ``source`` to ``node``.

    ``transport_nm3_per_day`` is the most the fleet can move on it per day (``math.inf``
    when transport does not bind); ``cost_per_nm3`` ranks links (road km by default).
    """

    source: str
    node: str
    transport_nm3_per_day: float = math.inf
    cost_per_nm3: float = 0.0

    def __post_init__(self) -> None:
        label = f"{self.source}→{self.node}"
        if math.isnan(self.transport_nm3_per_day) or self.transport_nm3_per_day < 0:
            raise ContingencyError(
                f"{label}.transport_nm3_per_day", self.transport_nm3_per_day, "must be ≥ 0"
            )
        _finite_non_negative(f"{label}.cost_per_nm3", self.cost_per_nm3)


@dataclass(frozen=True)
class SupplyNetwork:
    """Nodes, sources and links; codes unique, every link between known ends, once."""

    nodes: tuple[DemandNode, ...]
    sources: tuple[Source, ...]
    links: tuple[Link, ...]

    def __post_init__(self) -> None:
        node_codes = _unique("nodes", (n.code for n in self.nodes))
        source_codes = _unique("sources", (s.code for s in self.sources))
        seen: set[tuple[str, str]] = set()
        for link in self.links:
            if link.source not in source_codes:
                raise ContingencyError("link.source", link.source, "must name a known source")
            if link.node not in node_codes:
                raise ContingencyError("link.node", link.node, "must name a known node")
            pair = (link.source, link.node)
            if pair in seen:
                raise ContingencyError("links", f"{pair[0]}→{pair[1]}", "must appear once")
            seen.add(pair)


def _unique(field: str, codes: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ContingencyError(field, code, "codes must be unique")
        seen.add(code)
    return seen


@dataclass(frozen=True)
class Flow:
    source: str
    node: str
    nm3_per_day: float


@dataclass(frozen=True)
class Allocation:
    """The least-shortage, then cheapest, way to supply every node.

    ``flows`` lists the links that carry oxygen (in the network's link order);
    ``shortage_nm3_per_day`` has every node, zero when fully supplied.
    """

    flows: tuple[Flow, ...]
    shortage_nm3_per_day: Mapping[str, float]
    total_shortage_nm3_per_day: float
    transport_cost: float

    def supplied_nm3_per_day(self, node: str) -> float:
        return sum(f.nm3_per_day for f in self.flows if f.node == node)


@dataclass(frozen=True)
class ShortRow:
    """One node short after an outage.

    ``short_from_day`` is the first day (1 = today) the reserve no longer covers the
    shortfall, ``floor(storage / shortfall) + 1``; ``None`` when that lies beyond the
    horizon. ``baseline_shortfall_nm3_per_day`` is the shortfall with every source up.
    """

    node: str
    shortfall_nm3_per_day: float
    short_from_day: int | None
    baseline_shortfall_nm3_per_day: float
    storage_nm3: float


@dataclass(frozen=True)
class OutageImpact:
    """What losing ``source`` does: nodes short (most urgent first) and the totals."""

    source: str
    districts_short: tuple[ShortRow, ...]
    total_shortfall_nm3_per_day: float
    added_shortfall_nm3_per_day: float


class _TransportModel:
    """The LP held in one HiGHS instance, so outages can be re-solved warm.

    Columns: one flow per link (0 ≤ x ≤ transport), then one shortage per node
    (0 ≤ s ≤ net need). Rows: one per node (Σ x + s = net need), then one per source
    (Σ x ≤ capacity).
    """

    def __init__(self, network: SupplyNetwork) -> None:
        self.network = network
        nodes, sources, links = network.nodes, network.sources, network.links
        n_nodes, n_sources, n_links = len(nodes), len(sources), len(links)
        node_row = {n.code: i for i, n in enumerate(nodes)}
        source_row = {s.code: n_nodes + j for j, s in enumerate(sources)}
        self.net_need = np.array([n.net_need_nm3_per_day for n in nodes], dtype=np.float64)
        self.link_cost = np.array([lk.cost_per_nm3 for lk in links], dtype=np.float64)
        self.source_capacity = np.array([s.capacity_nm3_per_day for s in sources], dtype=np.float64)
        self.link_source = np.array(
            [source_row[lk.source] - n_nodes for lk in links], dtype=np.int64
        )
        self.tolerance = np.maximum(_ABSOLUTE_TOLERANCE, _RELATIVE_TOLERANCE * self.net_need)

        h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ bare
        h.setOptionValue("output_flag", False)
        # Serial dual simplex: deterministic, and the method that warm-starts after a bound
        # change.
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("threads", 1)
        h.setOptionValue("random_seed", 0)
        # Devex pricing: an outage re-solve from the base basis took about half the time of
        # the default dual steepest edge on the benchmark network (docs/decisions/0002).
        h.setOptionValue("simplex_dual_edge_weight_strategy", 1)
        inf = highspy.kHighsInf
        row_lower = np.concatenate([self.net_need, np.full(n_sources, -inf)])
        row_upper = np.concatenate([self.net_need, self.source_capacity])
        h.addRows(n_nodes + n_sources, row_lower, row_upper, 0, [], [], [])

        # Costs scaled to [0, 1] keep the objective well conditioned beside the weight.
        max_cost = float(self.link_cost.max()) if n_links else 0.0
        scaled_cost = self.link_cost / max_cost if max_cost > 0 else np.zeros(n_links)
        transport = np.array([lk.transport_nm3_per_day for lk in links], dtype=np.float64)
        transport[np.isinf(transport)] = inf
        flow_rows = np.empty(2 * n_links, dtype=np.int32)
        flow_rows[0::2] = [node_row[lk.node] for lk in links]
        flow_rows[1::2] = [source_row[lk.source] for lk in links]
        if n_links:
            h.addCols(
                n_links,
                scaled_cost,
                np.zeros(n_links),
                transport,
                2 * n_links,
                np.arange(0, 2 * n_links, 2, dtype=np.int32),
                flow_rows,
                np.ones(2 * n_links),
            )
        h.addCols(
            n_nodes,
            np.full(n_nodes, _shortage_weight(n_nodes, n_sources)),
            np.zeros(n_nodes),
            self.net_need,
            n_nodes,
            np.arange(n_nodes, dtype=np.int32),
            np.arange(n_nodes, dtype=np.int32),
            np.ones(n_nodes),
        )
        self.highs = h
        self.n_links = n_links

    def solve(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Run HiGHS; return (flow per link, shortage per node), noise cleared."""
        h = self.highs
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            # Always feasible (shortage can absorb any need), so this is a solver failure.
            raise ContingencyError(
                "network", "HiGHS", f"solver ended {h.modelStatusToString(status)}"
            )
        values = np.asarray(h.getSolution().col_value, dtype=np.float64)
        flows = values[: self.n_links]
        shortage = values[self.n_links :]
        flows[flows < _ABSOLUTE_TOLERANCE] = 0.0
        shortage[shortage < self.tolerance] = 0.0
        return flows, shortage

    def set_source_capacity(self, index: int, capacity: float) -> None:
        row = len(self.network.nodes) + index
        self.highs.changeRowBounds(row, -highspy.kHighsInf, capacity)

    def allocation(
        self, flows: npt.NDArray[np.float64], shortage: npt.NDArray[np.float64]
    ) -> Allocation:
        net = self.network
        carried = np.flatnonzero(flows)
        return Allocation(
            flows=tuple(
                Flow(net.links[i].source, net.links[i].node, float(flows[i])) for i in carried
            ),
            shortage_nm3_per_day={
                n.code: float(s) for n, s in zip(net.nodes, shortage, strict=True)
            },
            total_shortage_nm3_per_day=float(shortage.sum()),
            transport_cost=float(flows @ self.link_cost),
        )


def _shortage_weight(n_nodes: int, n_sources: int) -> float:
    """A weight on shortage that makes the weighted LP lexicographic.

    Removing one unit of shortage needs at most an augmenting path through each source
    once, so it costs at most ``min(nodes, sources)`` times the largest (scaled, ≤ 1) link
    cost: any larger weight makes less shortage always worth its transport.
    """
    return float(min(n_nodes, n_sources) + 1)


def allocate(network: SupplyNetwork) -> Allocation:
    """Supply every node from the sources, least shortage first, then least cost.

    Returns flows in Nm³/day per link, the shortage per node and in total (Nm³/day), and
    the transport cost (Σ cost_per_nm3 × flow). Raises :class:`ContingencyError` only if
    the solver fails: the model is always feasible.
    """
    model = _TransportModel(network)
    return model.allocation(*model.solve())


def short_from_day(
    storage_nm3: float, shortfall_nm3_per_day: float, horizon_days: int
) -> int | None:
    """First day (1 = today) the reserve no longer covers a daily shortfall.

    ``floor(storage / shortfall) + 1``; ``None`` without shortfall or beyond the horizon.
    """
    if shortfall_nm3_per_day <= 0:
        return None
    day = math.floor(storage_nm3 / shortfall_nm3_per_day) + 1
    return day if day <= horizon_days else None


def n_minus_1(
    network: SupplyNetwork,
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    sources: Sequence[str] | None = None,
) -> list[OutageImpact]:
    """For each source (all, or those named), the shortages if it stops.

    The others re-supply within their capacity and the links' transport: the full
    allocation is re-solved without that source. Each outage warm-starts from the solved
    base model, so one source's result does not depend on which others are evaluated.
    A source that ships nothing in the base solution leaves it optimal and is not
    re-solved. Impacts come in the order asked (network order by default); rows within
    one impact most urgent first. Raises :class:`ContingencyError` for an unknown source
    or a horizon below 1 day.
    """
    if horizon_days < 1:
        raise ContingencyError("horizon_days", horizon_days, "must be at least 1")
    index = {s.code: j for j, s in enumerate(network.sources)}
    wanted = [s.code for s in network.sources] if sources is None else list(sources)
    for code in wanted:
        if code not in index:
            raise ContingencyError("sources", code, "must name a known source")

    model = _TransportModel(network)
    base_flows, base_shortage = model.solve()
    base_basis = model.highs.getBasis()
    shipped = np.bincount(model.link_source, weights=base_flows, minlength=len(index))
    base_total = float(base_shortage.sum())

    impacts: list[OutageImpact] = []
    for code in wanted:
        j = index[code]
        if shipped[j] <= _ABSOLUTE_TOLERANCE:
            shortage = base_shortage
        else:
            model.set_source_capacity(j, 0.0)
            model.highs.setBasis(base_basis)
            _, shortage = model.solve()
            model.set_source_capacity(j, float(model.source_capacity[j]))
        impacts.append(_impact(network, code, shortage, base_shortage, base_total, horizon_days))
    return impacts


def _impact(
    network: SupplyNetwork,
    source: str,
    shortage: npt.NDArray[np.float64],
    base_shortage: npt.NDArray[np.float64],
    base_total: float,
    horizon_days: int,
) -> OutageImpact:
    rows = [
        ShortRow(
            node=network.nodes[i].code,
            shortfall_nm3_per_day=float(shortage[i]),
            short_from_day=short_from_day(
                network.nodes[i].storage_nm3, float(shortage[i]), horizon_days
            ),
            baseline_shortfall_nm3_per_day=float(base_shortage[i]),
            storage_nm3=network.nodes[i].storage_nm3,
        )
        for i in np.flatnonzero(shortage)
    ]
    rows.sort(
        key=lambda r: (
            r.short_from_day if r.short_from_day is not None else horizon_days + 1,
            -r.shortfall_nm3_per_day,
            r.node,
        )
    )
    total = float(shortage.sum())
    return OutageImpact(
        source=source,
        districts_short=tuple(rows),
        total_shortfall_nm3_per_day=total,
        added_shortfall_nm3_per_day=max(0.0, total - base_total),
    )


def nearest_links(
    node_locations: Mapping[str, Location],
    source_locations: Mapping[str, Location],
    *,
    k: int = DEFAULT_NEAREST_SOURCES,
    transport_nm3_per_day: Callable[[str, str, float], float] | None = None,
    road_factor: float = DEFAULT_ROAD_FACTOR,
) -> tuple[Link, ...]:
    """Link each node to its ``k`` nearest sources, costed in road km per Nm³.

    Keeping candidate links sparse keeps the LP small (``k`` links per node, not one per
    source). ``transport_nm3_per_day(source, node, road_km)`` gives each link's daily
    transport limit (unlimited when omitted). Ties in distance go to the source listed
    first. Links come node by node, nearest source first.
    """
    if k < 1:
        raise ContingencyError("k", k, "must be at least 1")
    source_codes = list(source_locations)
    if not source_codes:
        return ()
    k = min(k, len(source_codes))
    src_lat = np.radians([loc.latitude_deg for loc in source_locations.values()])
    src_lon = np.radians([loc.longitude_deg for loc in source_locations.values()])
    node_items = list(node_locations.items())
    links: list[Link] = []
    for start in range(0, len(node_items), _DISTANCE_BLOCK_ROWS):
        block = node_items[start : start + _DISTANCE_BLOCK_ROWS]
        lat = np.radians([loc.latitude_deg for _, loc in block])[:, None]
        lon = np.radians([loc.longitude_deg for _, loc in block])[:, None]
        # Same haversine as network.haversine_km, vectorised to rank the sources only;
        # the link cost itself comes from road_km.
        h = (
            np.sin((src_lat - lat) / 2) ** 2
            + np.cos(lat) * np.cos(src_lat) * np.sin((src_lon - lon) / 2) ** 2
        )
        distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        order = np.argsort(distance, axis=1, kind="stable")[:, :k]
        for (node, location), nearest in zip(block, order, strict=True):
            for j in nearest:
                source = source_codes[j]
                km = road_km(source_locations[source], location, road_factor)
                limit = (
                    math.inf
                    if transport_nm3_per_day is None
                    else transport_nm3_per_day(source, node, km)
                )
                links.append(Link(source, node, limit, km))
    return tuple(links)
