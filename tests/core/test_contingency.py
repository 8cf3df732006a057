from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oxyflow.core.contingency import (
    ContingencyError,
    DemandNode,
    Link,
    Source,
    SupplyNetwork,
    allocate,
    n_minus_1,
    nearest_links,
    short_from_day,
)
from oxyflow.core.network import Location, road_km

# Two producers, three districts: P is large but far from B and C, Q is small and close.
#   A needs 100 (250 in reserve), only P reaches it.
#   B needs 200, P at cost 2 or Q at cost 1.
#   C needs 50 and makes 20 on site, Q at cost 1 or P at cost 5.
TWO_BY_THREE = SupplyNetwork(
    nodes=(
        DemandNode("A", need_nm3_per_day=100, storage_nm3=250),
        DemandNode("B", need_nm3_per_day=200),
        DemandNode("C", need_nm3_per_day=50, onsite_nm3_per_day=20),
    ),
    sources=(Source("P", 250), Source("Q", 100)),
    links=(
        Link("P", "A", cost_per_nm3=1),
        Link("P", "B", cost_per_nm3=2),
        Link("Q", "B", cost_per_nm3=1),
        Link("Q", "C", cost_per_nm3=1),
        Link("P", "C", cost_per_nm3=5),
    ),
)


def flows_of(network: SupplyNetwork) -> dict[tuple[str, str], float]:
    return {(f.source, f.node): f.nm3_per_day for f in allocate(network).flows}


def test_the_cheapest_full_supply_uses_the_close_small_producer_to_the_full() -> None:
    allocation = allocate(TWO_BY_THREE)
    assert flows_of(TWO_BY_THREE) == pytest.approx(
        {("P", "A"): 100, ("P", "B"): 130, ("Q", "B"): 70, ("Q", "C"): 30}
    )
    assert allocation.shortage_nm3_per_day == {"A": 0, "B": 0, "C": 0}
    assert allocation.total_shortage_nm3_per_day == 0
    assert allocation.transport_cost == pytest.approx(100 + 260 + 70 + 30)
    assert allocation.supplied_nm3_per_day("B") == pytest.approx(200)


def test_a_capacity_short_network_reports_the_shortage_explicitly() -> None:
    network = replace(TWO_BY_THREE, sources=(Source("P", 150), Source("Q", 100)))
    allocation = allocate(network)
    # 330 needed, 250 available: 80 short, placed where it saves most transport (B via P).
    assert allocation.total_shortage_nm3_per_day == pytest.approx(80)
    assert allocation.shortage_nm3_per_day == pytest.approx({"A": 0, "B": 80, "C": 0})
    assert flows_of(network) == pytest.approx(
        {("P", "A"): 100, ("P", "B"): 50, ("Q", "B"): 70, ("Q", "C"): 30}
    )


def test_a_link_carries_no_more_than_its_transport_allows() -> None:
    network = replace(
        TWO_BY_THREE,
        links=(Link("P", "A", transport_nm3_per_day=60, cost_per_nm3=1), *TWO_BY_THREE.links[1:]),
    )
    allocation = allocate(network)
    assert flows_of(network)[("P", "A")] == pytest.approx(60)
    assert allocation.shortage_nm3_per_day["A"] == pytest.approx(40)


def test_on_site_generation_above_need_asks_for_nothing() -> None:
    node = DemandNode("H", need_nm3_per_day=50, onsite_nm3_per_day=80)
    assert node.net_need_nm3_per_day == 0
    network = SupplyNetwork((node,), (Source("P", 100),), (Link("P", "H"),))
    assert allocate(network).flows == ()


def test_a_network_without_links_is_all_shortage() -> None:
    network = SupplyNetwork(TWO_BY_THREE.nodes, TWO_BY_THREE.sources, ())
    allocation = allocate(network)
    assert allocation.shortage_nm3_per_day == pytest.approx({"A": 100, "B": 200, "C": 30})


def test_shortage_is_avoided_even_when_every_link_must_be_rerouted() -> None:
    # N0 reaches only S1. Each Ni reaches Si for free and S(i+1) at cost 1. Leaving N0 short
    # is free; supplying it shifts every node to its dear link: cost m + 1 > 0 shortage.
    m = 20
    nodes = tuple(DemandNode(f"N{i}", 1) for i in range(m + 1))
    sources = tuple(Source(f"S{i}", 1) for i in range(1, m + 2))
    links = [Link("S1", "N0", cost_per_nm3=1)]
    for i in range(1, m + 1):
        links += [
            Link(f"S{i}", f"N{i}", cost_per_nm3=0),
            Link(f"S{i + 1}", f"N{i}", cost_per_nm3=1),
        ]
    allocation = allocate(SupplyNetwork(nodes, sources, tuple(links)))
    assert allocation.total_shortage_nm3_per_day == pytest.approx(0, abs=1e-9)
    assert allocation.transport_cost == pytest.approx(m + 1)


@st.composite
def networks(draw: st.DrawFn) -> SupplyNetwork:
    n_nodes = draw(st.integers(1, 6))
    n_sources = draw(st.integers(1, 4))
    quantity = st.floats(0, 1000, allow_nan=False).map(lambda x: round(x, 2))
    nodes = tuple(
        DemandNode(f"N{i}", draw(quantity), draw(quantity), draw(quantity) / 4)
        for i in range(n_nodes)
    )
    sources = tuple(Source(f"S{j}", draw(quantity)) for j in range(n_sources))
    pairs = draw(
        st.lists(st.tuples(st.integers(0, n_sources - 1), st.integers(0, n_nodes - 1)), unique=True)
    )
    links = tuple(
        Link(
            f"S{j}",
            f"N{i}",
            draw(st.one_of(st.just(math.inf), quantity)),
            draw(st.floats(0, 500, allow_nan=False)),
        )
        for j, i in pairs
    )
    return SupplyNetwork(nodes, sources, links)


@given(networks())
@settings(max_examples=150, deadline=None)
def test_supply_and_shortage_add_up_and_no_capacity_is_exceeded(network: SupplyNetwork) -> None:
    allocation = allocate(network)
    tolerance = 1e-6 * (1 + sum(n.net_need_nm3_per_day for n in network.nodes))
    for node in network.nodes:
        supplied = allocation.supplied_nm3_per_day(node.code)
        shortage = allocation.shortage_nm3_per_day[node.code]
        assert shortage >= 0
        assert supplied + shortage == pytest.approx(node.net_need_nm3_per_day, abs=tolerance)
    for source in network.sources:
        shipped = sum(f.nm3_per_day for f in allocation.flows if f.source == source.code)
        assert shipped <= source.capacity_nm3_per_day + tolerance
    transport = {(lk.source, lk.node): lk.transport_nm3_per_day for lk in network.links}
    for flow in allocation.flows:
        assert 0 < flow.nm3_per_day <= transport[(flow.source, flow.node)] + tolerance
    unavoidable = sum(n.net_need_nm3_per_day for n in network.nodes) - sum(
        s.capacity_nm3_per_day for s in network.sources
    )
    assert allocation.total_shortage_nm3_per_day >= unavoidable - tolerance


@given(networks())
@settings(max_examples=60, deadline=None)
def test_a_warm_n_minus_1_matches_solving_each_outage_from_scratch(
    network: SupplyNetwork,
) -> None:
    tolerance = 1e-6 * (1 + sum(n.net_need_nm3_per_day for n in network.nodes))
    for impact in n_minus_1(network):
        without = replace(
            network,
            sources=tuple(
                replace(s, capacity_nm3_per_day=0) if s.code == impact.source else s
                for s in network.sources
            ),
        )
        cold = allocate(without)
        assert impact.total_shortfall_nm3_per_day == pytest.approx(
            cold.total_shortage_nm3_per_day, abs=tolerance
        )


# X hangs on P alone with 2.5 days of reserve; Y can be served by P or Q and has none.
CRITICAL_P = SupplyNetwork(
    nodes=(DemandNode("X", 100, storage_nm3=250), DemandNode("Y", 100)),
    sources=(Source("P", 150), Source("Q", 200), Source("IDLE", 500)),
    links=(
        Link("P", "X", cost_per_nm3=1),
        Link("P", "Y", cost_per_nm3=1),
        Link("Q", "Y", cost_per_nm3=2),
    ),
)


def test_losing_the_only_producer_of_a_district_shows_it_short_from_day_3() -> None:
    impact = n_minus_1(CRITICAL_P)[0]
    assert impact.source == "P"
    assert [(r.node, r.short_from_day) for r in impact.districts_short] == [("X", 3)]
    row = impact.districts_short[0]
    assert row.shortfall_nm3_per_day == pytest.approx(100)
    assert row.baseline_shortfall_nm3_per_day == 0
    assert row.storage_nm3 == 250
    assert impact.total_shortfall_nm3_per_day == pytest.approx(100)
    assert impact.added_shortfall_nm3_per_day == pytest.approx(100)


def test_losing_the_backup_producer_leaves_the_shared_district_short_today() -> None:
    # Without Q, P's 150 covers X (100) and 50 of Y.
    impact = n_minus_1(CRITICAL_P)[1]
    assert impact.source == "Q"
    assert [(r.node, r.short_from_day) for r in impact.districts_short] == [("Y", 1)]
    assert impact.districts_short[0].shortfall_nm3_per_day == pytest.approx(50)


def test_losing_an_unlinked_producer_changes_nothing() -> None:
    impact = n_minus_1(CRITICAL_P)[2]
    assert impact.source == "IDLE"
    assert impact.districts_short == ()
    assert impact.total_shortfall_nm3_per_day == 0


def test_a_district_short_before_the_outage_keeps_its_baseline_shortfall() -> None:
    network = replace(CRITICAL_P, nodes=(*CRITICAL_P.nodes, DemandNode("Z", 30)))
    impacts = {i.source: i for i in n_minus_1(network)}
    (row,) = [r for r in impacts["IDLE"].districts_short if r.node == "Z"]
    assert row.baseline_shortfall_nm3_per_day == pytest.approx(30)
    assert impacts["IDLE"].added_shortfall_nm3_per_day == 0


def test_reserve_beyond_the_horizon_is_short_but_not_within_it() -> None:
    network = replace(
        CRITICAL_P, nodes=(DemandNode("X", 100, storage_nm3=1400), CRITICAL_P.nodes[1])
    )
    (row,) = n_minus_1(network, horizon_days=14)[0].districts_short
    assert row.node == "X"
    assert row.short_from_day is None
    assert n_minus_1(network, horizon_days=15)[0].districts_short[0].short_from_day == 15


@pytest.mark.parametrize(
    ("storage", "shortfall", "day"),
    [(250, 100, 3), (200, 100, 3), (199, 100, 2), (0, 100, 1), (1300, 100, 14), (1400, 100, None)],
)
def test_the_first_short_day_is_when_reserve_no_longer_covers_a_day(
    storage: float, shortfall: float, day: int | None
) -> None:
    assert short_from_day(storage, shortfall, horizon_days=14) == day


def test_no_shortfall_has_no_short_day() -> None:
    assert short_from_day(100, 0, horizon_days=14) is None


def test_the_same_network_gives_the_same_answer() -> None:
    assert allocate(TWO_BY_THREE) == allocate(TWO_BY_THREE)
    assert n_minus_1(TWO_BY_THREE) == n_minus_1(TWO_BY_THREE)


def test_one_outage_does_not_depend_on_which_others_are_evaluated() -> None:
    full = {i.source: i for i in n_minus_1(TWO_BY_THREE)}
    for source in ("Q", "P"):
        assert n_minus_1(TWO_BY_THREE, sources=[source]) == [full[source]]


def test_losing_p_in_the_hand_worked_network_leaves_a_short_from_day_3() -> None:
    impact = n_minus_1(TWO_BY_THREE, sources=["P"])[0]
    # Only Q's 100 is left. A, reached by P alone, loses its 100; B and C share 130 short,
    # split either way at equal cost (the LP picks one of the tied optima).
    assert impact.total_shortfall_nm3_per_day == pytest.approx(230)
    *today, last = impact.districts_short
    assert (last.node, last.shortfall_nm3_per_day, last.short_from_day) == ("A", 100, 3)
    assert {r.node for r in today} <= {"B", "C"}
    assert all(r.short_from_day == 1 for r in today)
    assert sum(r.shortfall_nm3_per_day for r in today) == pytest.approx(130)


@pytest.mark.parametrize(
    ("build", "field", "rule"),
    [
        (lambda: DemandNode("A", -1), "A.need_nm3_per_day", "≥ 0"),
        (lambda: DemandNode("A", math.nan), "A.need_nm3_per_day", "≥ 0"),
        (lambda: DemandNode(" A", 1), "node.code", "non-empty"),
        (lambda: Source("P", math.inf), "P.capacity_nm3_per_day", "finite"),
        (lambda: Link("P", "A", transport_nm3_per_day=-5), "P→A.transport_nm3_per_day", "≥ 0"),
        (lambda: Link("P", "A", cost_per_nm3=-1), "P→A.cost_per_nm3", "≥ 0"),
        (
            lambda: replace(TWO_BY_THREE, links=(Link("P", "Z"),)),
            "link.node",
            "known node",
        ),
        (
            lambda: replace(TWO_BY_THREE, links=(Link("R", "A"),)),
            "link.source",
            "known source",
        ),
        (
            lambda: replace(TWO_BY_THREE, links=(Link("P", "A"), Link("P", "A"))),
            "links",
            "once",
        ),
        (
            lambda: replace(TWO_BY_THREE, sources=(Source("P", 1), Source("P", 2))),
            "sources",
            "unique",
        ),
        (lambda: n_minus_1(TWO_BY_THREE, horizon_days=0), "horizon_days", "at least 1"),
        (lambda: n_minus_1(TWO_BY_THREE, sources=["R"]), "sources", "known source"),
    ],
)
def test_bad_input_is_refused_naming_field_value_and_rule(
    build: object, field: str, rule: str
) -> None:
    assert callable(build)
    with pytest.raises(ContingencyError, match=rule) as caught:
        build()
    assert caught.value.field == field
    assert field in str(caught.value)


BATNA = Location(35.556, 6.174)
BARIKA = Location(35.385, 5.289)
BISKRA = Location(34.850, 5.728)
ALGIERS = Location(36.754, 3.059)


def test_nearest_links_keeps_the_k_closest_sources_costed_in_road_km() -> None:
    links = nearest_links(
        {"BATNA": BATNA},
        {"ALGIERS": ALGIERS, "BISKRA": BISKRA, "BARIKA": BARIKA},
        k=2,
        transport_nm3_per_day=lambda source, node, km: 1000 / km,
    )
    assert [(lk.source, lk.node) for lk in links] == [("BARIKA", "BATNA"), ("BISKRA", "BATNA")]
    assert links[0].cost_per_nm3 == pytest.approx(road_km(BARIKA, BATNA))
    assert links[0].transport_nm3_per_day == pytest.approx(1000 / road_km(BARIKA, BATNA))


def test_nearest_links_with_k_above_the_source_count_links_them_all() -> None:
    links = nearest_links({"BATNA": BATNA}, {"BISKRA": BISKRA}, k=10)
    assert [(lk.source, lk.transport_nm3_per_day) for lk in links] == [("BISKRA", math.inf)]
    with pytest.raises(ContingencyError, match="at least 1"):
        nearest_links({"BATNA": BATNA}, {"BISKRA": BISKRA}, k=0)
