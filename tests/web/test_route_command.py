"""`oxyflow route` as a shell user runs it: JSON only on stdout, exit codes, the checker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from oxyflow.core.planning.cvrplib import read_instance
from oxyflow.core.planning.routing import check_routes
from oxyflow.web.management.commands.route import Command

A_N32_K5 = Path(__file__).resolve().parents[1] / "data" / "cvrplib" / "A-n32-k5.vrp"
QUICK = ("--time-limit", "2", "--max-iterations", "300", "--format", "json")


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def route(*args: str, capfd: pytest.CaptureFixture[str]) -> Outcome:
    """Run the command in this process as the shell does (argv, exit status, fd output).

    ``capfd`` captures at the file-descriptor level, so anything the native solver wrote
    would show up in stdout too.
    """
    capfd.readouterr()
    try:
        Command().run_from_argv(["oxyflow", "route", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capfd.readouterr()
    return Outcome(code, out, err)


def json_stdout(result: Outcome) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    body: dict[str, Any] = json.loads(result.stdout)  # fails on anything but one document
    return body


def test_json_is_the_only_output_and_its_routes_pass_the_checker(
    capfd: pytest.CaptureFixture[str],
) -> None:
    body = json_stdout(route(str(A_N32_K5), *QUICK, "--seed", "1", capfd=capfd))
    assert body["feasible"] is True
    assert body["checker"] == "pass"
    assert body["solver"].startswith("pyvrp ")
    assert body["seed"] == 1
    assert body["time_limit_s"] == 2.0
    assert body["vehicles_used"] == len(body["routes"])
    assert body["runtime_s"] > 0
    # Recomputed here too: every customer once, within capacity, the stated cost.
    check = check_routes(read_instance(A_N32_K5), body["routes"])
    assert check.ok, check.violations
    assert check.cost == body["cost"]
    assert sorted(c for r in body["routes"] for c in r) == list(range(1, 32))


def test_vehicles_caps_the_number_of_routes(capfd: pytest.CaptureFixture[str]) -> None:
    body = json_stdout(route(str(A_N32_K5), *QUICK, "--vehicles", "5", capfd=capfd))
    assert body["feasible"] is True
    assert body["vehicles_used"] <= 5
    assert body["max_vehicles"] == 5


def test_same_seed_and_iteration_limit_print_the_same_routes(
    capfd: pytest.CaptureFixture[str],
) -> None:
    first, second = (
        json_stdout(route(str(A_N32_K5), *QUICK, "--seed", "11", capfd=capfd)) for _ in range(2)
    )
    assert first["routes"] == second["routes"]
    assert first["cost"] == second["cost"]


def test_demand_over_the_capped_fleet_is_infeasible_with_exit_0(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # A-n32-k5 needs 410 units; 4 vehicles of 100 cannot carry them.
    body = json_stdout(route(str(A_N32_K5), *QUICK, "--vehicles", "4", capfd=capfd))
    assert body["feasible"] is False
    assert body["vehicles_used"] <= 4
    assert body["checker"] == "fail"
    assert any("over the vehicle capacity 100" in v for v in body["violations"])


def test_the_table_format_prints_a_summary_and_the_routes(
    capfd: pytest.CaptureFixture[str],
) -> None:
    result = route(str(A_N32_K5), "--time-limit", "1", "--max-iterations", "200", capfd=capfd)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("A-n32-k5: 31 customers, capacity 100; feasible, cost ")
    assert "Route #1: " in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("missing.vrp", "--time-limit", "1"), "missing.vrp: no such file"),
        ((str(A_N32_K5), "--time-limit", "soon"), "--time-limit='soon' is invalid"),
        ((str(A_N32_K5), "--time-limit", "-3"), "must be more than 0 seconds"),
        ((str(A_N32_K5), "--time-limit", "1", "--vehicles", "0"), "--vehicles='0' is invalid"),
        ((str(A_N32_K5), "--time-limit", "1", "--seed", "x"), "--seed='x' is invalid"),
        (("TSP", "--time-limit", "1"), "TYPE is TSP, expected CVRP"),
        (("NOTES", "--time-limit", "1"), "not a CVRPLIB file"),
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "TSP").write_text(A_N32_K5.read_text().replace("TYPE : CVRP", "TYPE : TSP"))
    (tmp_path / "NOTES").write_text("a shopping list\nnot an instance\n")
    args = tuple(str(tmp_path / a) if a in ("TSP", "NOTES", "missing.vrp") else a for a in args)
    result = route(*args, capfd=capfd)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_the_oxyflow_entry_point_prints_only_json_and_exits_2_on_a_missing_file(
    tmp_path: Path,
) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    env = {**clean, "OXYFLOW_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "oxyflow.cli", "route"]
    solved = subprocess.run(
        [*command, str(A_N32_K5), *QUICK], capture_output=True, text=True, env=env, timeout=60
    )
    assert solved.returncode == 0, solved.stderr
    assert json.loads(solved.stdout)["checker"] == "pass"
    missing = subprocess.run(
        [*command, str(tmp_path / "missing.vrp"), "--time-limit", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr.strip().endswith("missing.vrp: no such file")
