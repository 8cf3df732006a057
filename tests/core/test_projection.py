"""Census projection: validation, intervals, fallbacks, missing days, and a SEIR backtest."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oxyflow.core.projection import (
    MAX_HORIZON_DAYS,
    MIN_DAYS_DAMPED,
    ProjectionError,
    Score,
    backtest,
    project,
)

# ------------------------------------------------------------------ synthetic epidemics


@dataclass(frozen=True)
class Epidemic:
    """A seeded stochastic SEIR outbreak and the oxygen census it produces."""

    seed: int
    r0: float
    population: int
    oxygen_share: float  # of new infectious cases who need oxygen
    report_noise: float  # sd of the multiplicative lognormal reporting error

    def census(self, days: int = 200) -> tuple[np.ndarray, np.ndarray]:
        """True and reported patients on oxygen per day.

        Daily binomial transitions: incubation 5 d, infectious 7 d, oxygen treatment 10 d
        (exponential stays); reports are Poisson around the truth times lognormal noise.
        """
        rng = np.random.default_rng(self.seed)
        n = self.population
        susceptible, exposed, infectious, treated = n - 20, 20, 0, 0
        leave_e, leave_i, leave_t = (1 - math.exp(-1 / d) for d in (5, 7, 10))
        truth = np.empty(days)
        for day in range(days):
            infected = rng.binomial(susceptible, 1 - math.exp(-self.r0 / 7 * infectious / n))
            onset = rng.binomial(exposed, leave_e)
            recovered = rng.binomial(infectious, leave_i)
            admitted = rng.binomial(onset, self.oxygen_share)
            discharged = rng.binomial(treated, leave_t)
            susceptible -= infected
            exposed += infected - onset
            infectious += onset - recovered
            treated += admitted - discharged
            truth[day] = treated
        reported = rng.poisson(truth * rng.lognormal(0.0, self.report_noise, days))
        return truth, reported.astype(float)

    def reports_through_the_wave(self) -> list[float | None]:
        """Reports from the day the census reaches 20 patients to four weeks after its peak:
        the growth phase, the peak and the start of the decline."""
        truth, reported = self.census()
        start, peak = int(np.argmax(truth >= 20)), int(np.argmax(truth))
        return [float(v) for v in reported[start : peak + 28]]


EPIDEMICS = (
    # Provinces: 1 million people, 3 % of cases on oxygen, ±10 % reporting noise.
    Epidemic(seed=1, r0=2.0, population=1_000_000, oxygen_share=0.03, report_noise=0.10),
    Epidemic(seed=2, r0=2.5, population=1_000_000, oxygen_share=0.03, report_noise=0.10),
    Epidemic(seed=3, r0=3.0, population=1_000_000, oxygen_share=0.03, report_noise=0.10),
    # Districts: smaller counts, noisier reports.
    Epidemic(seed=4, r0=2.2, population=200_000, oxygen_share=0.02, report_noise=0.15),
    Epidemic(seed=5, r0=2.8, population=200_000, oxygen_share=0.02, report_noise=0.15),
    Epidemic(seed=6, r0=2.5, population=500_000, oxygen_share=0.01, report_noise=0.20),
)


def test_the_damped_trend_beats_persistence_at_3_and_7_days_across_seir_waves() -> None:
    scores: dict[int, list[Score]] = {3: [], 7: []}
    for epidemic in EPIDEMICS:
        result = backtest(epidemic.reports_through_the_wave(), (3, 7))
        for h, score in result.per_horizon.items():
            scores[h].append(score)
            print(
                f"seed {epidemic.seed} R0 {epidemic.r0} h={h}: MAPE damped "
                f"{score.mape_model:.1f} % vs persistence {score.mape_persistence:.1f} % "
                f"(n={score.n})"
            )
    for h, per_curve in scores.items():
        model = float(np.mean([s.mape_model for s in per_curve]))
        persistence = float(np.mean([s.mape_persistence for s in per_curve]))
        print(f"mean over {len(per_curve)} waves, h={h}: {model:.1f} % vs {persistence:.1f} %")
        assert all(s.n >= 50 for s in per_curve)
        assert model < persistence


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize("horizon", [0, -1, MAX_HORIZON_DAYS + 1, 2.5, True])
def test_it_rejects_a_horizon_outside_1_to_14_whole_days(horizon: object) -> None:
    with pytest.raises(ProjectionError) as caught:
        project([10.0, 12.0, 13.0], horizon)  # type: ignore[arg-type]
    assert caught.value.field == "horizon_days"
    assert caught.value.value == horizon
    assert "1 to 14" in caught.value.rule
    assert "horizon_days" in str(caught.value)
    assert repr(horizon) in str(caught.value)


@pytest.mark.parametrize("interval", [0.0, 1.0, -0.2, 1.5, math.nan])
def test_it_rejects_an_interval_outside_0_to_1(interval: float) -> None:
    with pytest.raises(ProjectionError, match="strictly between 0 and 1") as caught:
        project([10.0, 12.0], 3, interval=interval)
    assert caught.value.field == "interval"


def test_it_rejects_an_unknown_model() -> None:
    with pytest.raises(ProjectionError, match="damped, drift, persistence") as caught:
        project([10.0, 12.0], 3, model="arima")
    assert (caught.value.field, caught.value.value) == ("model", "arima")


@pytest.mark.parametrize("bad", [-1.0, math.inf])
def test_it_rejects_negative_or_infinite_counts(bad: float) -> None:
    with pytest.raises(ProjectionError, match="day index 1") as caught:
        project([10.0, bad, 12.0], 3)
    assert (caught.value.field, caught.value.value) == ("history", bad)


def test_it_rejects_a_history_without_any_observed_day() -> None:
    with pytest.raises(ProjectionError, match="at least one observed day"):
        project([None, math.nan], 3)


def test_a_backtest_rejects_a_series_too_short_for_the_longest_horizon() -> None:
    with pytest.raises(ProjectionError, match="= 21 days") as caught:
        backtest([10.0] * 20, (3, 7))
    assert (caught.value.field, caught.value.value) == ("series", 20)


def test_a_backtest_rejects_a_horizon_beyond_14_days() -> None:
    with pytest.raises(ProjectionError) as caught:
        backtest([10.0] * 40, (3, 15))
    assert (caught.value.field, caught.value.value) == ("horizons", 15)


# ------------------------------------------------------------------ intervals and invariants

histories = st.lists(
    st.one_of(st.none(), st.floats(min_value=0, max_value=1e5, allow_nan=False)),
    min_size=1,
    max_size=40,
).filter(lambda xs: any(x is not None for x in xs))


@settings(max_examples=60, deadline=None)
@given(
    history=histories,
    horizon=st.integers(1, MAX_HORIZON_DAYS),
    model=st.sampled_from(["damped", "drift", "persistence"]),
)
def test_projections_are_non_negative_and_inside_a_band_that_widens_on_the_log_scale(
    history: list[float | None], horizon: int, model: str
) -> None:
    result = project(history, horizon, model=model)
    assert len(result.values) == len(result.low) == len(result.high) == horizon
    for low, value, high in zip(result.low, result.values, result.high, strict=True):
        assert 0 <= low <= value <= high
    # On log(1 + y) the band's upper half never narrows with the horizon (where the
    # projection is not clipped at zero).
    half_widths = np.log1p(result.high) - np.log1p(result.values)
    positive = np.array(result.values) > 0
    both_positive = positive[1:] & positive[:-1]
    assert np.all(np.diff(half_widths)[both_positive] >= -1e-9)


def test_on_a_growing_census_the_band_widens_in_patients_day_by_day() -> None:
    rng = np.random.default_rng(7)
    history = [float(v) for v in 40 * 1.08 ** np.arange(30) * rng.lognormal(0, 0.05, 30)]
    result = project(history, 14)
    widths = np.subtract(result.high, result.low)
    assert result.model == "damped"
    assert np.all(np.diff(widths) > 0)
    assert np.all(np.diff(result.values) > 0)
    # Damping: day-on-day growth slows down over the fortnight.
    growth = np.diff(np.log(result.values))
    assert growth[-1] < growth[0]


def test_a_wider_interval_gives_a_wider_band_around_the_same_projection() -> None:
    history = [100.0, 104.0, 109.0, 111.0, 118.0, 121.0, 130.0, 133.0, 140.0, 151.0]
    narrow, wide = project(history, 7, interval=0.5), project(history, 7, interval=0.95)
    assert narrow.values == wide.values
    assert all(w < n for w, n in zip(wide.low, narrow.low, strict=True))
    assert all(w > n for w, n in zip(wide.high, narrow.high, strict=True))


def test_the_same_history_gives_the_same_projection_every_time() -> None:
    rng = np.random.default_rng(3)
    history = [float(v) for v in rng.poisson(200, 45)]
    assert project(history, 14) == project(history, 14)


# ------------------------------------------------------------------ models and fallbacks


def test_persistence_repeats_the_last_observed_value() -> None:
    result = project([80.0, 95.0, 120.0, None], 5, model="persistence")
    assert result.values == pytest.approx((120.0,) * 5)
    assert result.model == "persistence"


def test_drift_carries_the_average_daily_growth_forward() -> None:
    history = [100.0 * 1.1**t - 1 for t in range(10)]  # log(1 + y) grows by log 1.1 a day
    result = project(history, 3, model="drift")
    assert result.values == pytest.approx([100.0 * 1.1**t - 1 for t in (10, 11, 12)])


def test_a_short_history_falls_back_to_drift_and_says_so() -> None:
    result = project([50.0, 55.0, 61.0, 66.0], 7)
    assert result.model == "drift"
    assert f"fewer than {MIN_DAYS_DAMPED} observed days" in result.basis
    assert result.n_used == 4
    assert result.values[0] > 66.0


def test_two_days_fall_back_to_persistence_with_a_band_of_at_least_10_percent_a_day() -> None:
    result = project([50.0, 50.0], 4)
    assert result.model == "persistence"
    assert result.values == pytest.approx((50.0,) * 4)
    z80 = 1.2816
    # σ floored at 0.1 on log(1 + y): high = 51·exp(z·0.1·√h) - 1.
    assert result.high[0] == pytest.approx(51 * math.exp(z80 * 0.1) - 1, rel=1e-3)
    assert result.high[3] == pytest.approx(51 * math.exp(z80 * 0.1 * 2) - 1, rel=1e-3)


def test_a_single_day_is_enough_for_a_persistence_projection() -> None:
    result = project([None, None, 30.0], 2)
    assert (result.model, result.n_used) == ("persistence", 1)
    assert result.values == pytest.approx((30.0, 30.0))
    assert result.low[1] < result.low[0] < 30.0 < result.high[0] < result.high[1]


def test_a_flat_census_projects_flat_with_no_spread() -> None:
    result = project([12.0] * 20, 5)
    assert result.model == "damped"
    assert result.values == pytest.approx((12.0,) * 5)
    assert result.high == pytest.approx((12.0,) * 5, abs=1e-6)


# ------------------------------------------------------------------ missing days


def test_missing_days_are_bridged_but_not_counted_as_observations() -> None:
    exact = [100.0 * 1.05**t - 1 for t in range(14)]
    gappy: list[float | None] = list(exact)
    gappy[4] = None
    gappy[9] = math.nan
    result = project(gappy, 3, model="drift")
    assert result.n_used == 12
    assert result.values == pytest.approx([100.0 * 1.05**t - 1 for t in (14, 15, 16)])


def test_missing_last_days_push_the_projection_from_the_last_report_to_the_right_dates() -> None:
    exact = [100.0 * 1.05**t - 1 for t in range(12)]
    history: list[float | None] = [*exact, None, None]
    result = project(history, 3, model="drift")
    # Day 1 of the projection is the day after the history ends, i.e. 3 days after the
    # last report.
    assert result.values == pytest.approx([100.0 * 1.05**t - 1 for t in (14, 15, 16)])
    assert "last 2 day(s) missing" in result.basis
    assert project(history, 3).high[0] > project(exact, 3).high[0]


def test_the_damped_trend_copes_with_scattered_missing_days() -> None:
    rng = np.random.default_rng(11)
    history: list[float | None] = [
        float(v) for v in 60 * 1.06 ** np.arange(35) * rng.lognormal(0, 0.05, 35)
    ]
    for day in (3, 10, 11, 20, 34):
        history[day] = None
    result = project(history, 7)
    assert (result.model, result.n_used) == ("damped", 30)
    assert all(math.isfinite(v) for v in result.high)


# ------------------------------------------------------------------ backtest mechanics


def test_backtesting_persistence_scores_it_equal_to_itself() -> None:
    rng = np.random.default_rng(5)
    series = [float(v) for v in rng.poisson(100, 40)]
    result = backtest(series, (1, 3), model="persistence", min_train=10)
    for h, score in result.per_horizon.items():
        assert score.mape_model == pytest.approx(score.mape_persistence)
        assert score.n == 40 - 10 - h + 1


def test_a_backtest_skips_zero_and_missing_actuals() -> None:
    series: list[float | None] = [10.0] * 20
    series[17], series[19] = None, 0.0
    result = backtest(series, (1,), model="persistence", min_train=10)
    score = result.per_horizon[1]
    assert score.n == 8
    assert score.mape_model == pytest.approx(0.0, abs=1e-9)
    assert score.mape_persistence == 0.0
