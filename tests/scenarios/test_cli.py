"""`oxyflow scenario` and `oxyflow contingency` as a shell user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-m", "oxyflow.cli", *args],
        capture_output=True,
        text=True,
        env={**clean, "OXYFLOW_DATA_DIR": str(data_dir)},
        timeout=120,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data directory with the demo loaded (migrated), shared by the module."""
    data_dir = tmp_path_factory.mktemp("oxyflow-data")
    result = run_cli("demo", "--no-serve", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return data_dir


def json_stdout(result: subprocess.CompletedProcess[str]) -> dict:  # type: ignore[type-arg]
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # fails on anything but one JSON document


def option_help(help_text: str, option: str) -> str:
    """The help of one option: its lines up to the next option, less the option itself."""
    lines = help_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(option + " "))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if line.strip().startswith("-") or not line.strip():
            break
        block.append(line)
    words = " ".join(block).split()
    return " ".join(w for w in words if w != option and not w.isupper() and not w.startswith("{"))


def test_scenario_json_is_the_only_output_and_reproduces_4320_m3(demo_dir: Path) -> None:
    body = json_stdout(
        run_cli("scenario", "--patients", "1000,5000,10000", "--format", "json", data_dir=demo_dir)
    )
    assert [s["patients"] for s in body["scenarios"]] == [1000, 5000, 10000]
    first = body["scenarios"][0]
    assert first["oxygen_m3_per_day"] == 4320.0
    assert first["districts"] == []


def test_scenario_for_1000_oxygen_patients_needs_21600_m3_or_30_87_tonnes(demo_dir: Path) -> None:
    body = json_stdout(
        run_cli(
            "scenario",
            "--patients",
            "1000",
            "--mix",
            "oxygen",
            "--format",
            "json",
            data_dir=demo_dir,
        )
    )
    assert body["scenarios"][0]["oxygen_m3_per_day"] == 21600.0
    assert body["scenarios"][0]["lox_tonnes_per_day"] == pytest.approx(30.87, abs=0.01)


def test_scenario_at_15_degrees_states_the_same_gas_as_fewer_tonnes(demo_dir: Path) -> None:
    body = json_stdout(
        run_cli(
            "scenario",
            "--patients",
            "1000",
            "--mix",
            "oxygen",
            "--conditions",
            "15c",
            "--format",
            "json",
            data_dir=demo_dir,
        )
    )
    assert body["reference_conditions"] == "15c"
    assert body["scenarios"][0]["lox_tonnes_per_day"] == pytest.approx(29.25, abs=0.01)


def test_scenario_refuses_a_patient_list_with_a_word_naming_it(demo_dir: Path) -> None:
    result = run_cli("scenario", "--patients", "10,x", data_dir=demo_dir)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "argument --patients: '10,x' is invalid" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("command", "options"),
    [
        (
            "scenario",
            (
                "--patients",
                "--region",
                "--profile",
                "--mix",
                "--severe-share",
                "--hfnc",
                "--reserve-days",
                "--spread",
                "--conditions",
                "--cylinder-type",
                "--format",
            ),
        ),
        (
            "contingency",
            (
                "--region",
                "--patients",
                "--spread",
                "--profile",
                "--mix",
                "--severe-share",
                "--conditions",
                "--horizon-days",
                "--nearest",
                "--format",
            ),
        ),
    ],
)
def test_help_explains_every_option(demo_dir: Path, command: str, options: tuple[str, ...]) -> None:
    result = run_cli(command, "--help", data_dir=demo_dir)
    assert result.returncode == 0
    for option in options:
        assert len(option_help(result.stdout, option)) > 15, option


def test_contingency_json_stays_parseable_despite_the_solver_banner(demo_dir: Path) -> None:
    result = run_cli(
        "contingency",
        "--region",
        "DZ-05",
        "--patients",
        "2000",
        "--format",
        "json",
        data_dir=demo_dir,
    )
    body = json_stdout(result)
    assert body["region"] == "DZ-05"
    assert body["patients"] == 2000
    assert len(body["outages"]) == len(body["sources"]) > 1
    assert "HiGHS" not in result.stdout
    totals = [o["total_shortfall_m3_per_day"] for o in body["outages"]]
    assert totals == sorted(totals, reverse=True)
