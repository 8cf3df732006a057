"""`oxyflow route`: solve a CVRPLIB capacitated VRP instance and check the routes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oxyflow.core.planning.cvrplib import CvrplibFormatError, read_instance
from oxyflow.core.planning.routing import RoutingParams, check_routes, solve_cvrp

BAD_INPUT = 2


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _bad(f"--time-limit={text!r} is invalid: give seconds, e.g. 10") from None
    if not (math.isfinite(value) and value > 0):
        raise _bad(f"--time-limit={text!r} is invalid: must be more than 0 seconds")
    return value


def _whole(name: str, text: str | None, low: int) -> int | None:
    if text is None:
        return None
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise _bad(f"{name}={text!r} is invalid: give a whole number") from None
    if value < low:
        raise _bad(f"{name}={text!r} is invalid: must be at least {low}")
    return value


class Command(BaseCommand):
    help = (
        "Solve a CVRPLIB capacitated vehicle routing instance (.vrp, EUC_2D) with PyVRP "
        "and check the result independently. Routes are customer numbers 1..n as in "
        "CVRPLIB .sol files (depot omitted); the cost is the CVRPLIB convention (Euclidean "
        "distance rounded per arc, depot to depot). Exit 0 when solved, feasible or not "
        "(`feasible: false` when no solution serves every customer within the fleet); "
        "exit 2 on bad input. JSON output prints nothing else on stdout."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.vrp", help="CVRPLIB instance file.")
        parser.add_argument(
            "--time-limit",
            required=True,
            metavar="SECONDS",
            help="Search time in seconds; building the model comes on top.",
        )
        parser.add_argument("--seed", default="0", help="Random seed (default 0).")
        parser.add_argument(
            "--vehicles",
            metavar="K",
            help="At most K routes (default: as many as needed).",
        )
        parser.add_argument(
            "--max-iterations",
            metavar="N",
            help="Stop after N iterations too: with a seed, the same routes on every run.",
        )
        parser.add_argument(
            "--format",
            default="table",
            choices=("table", "json"),
            help="Output format (default table).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        params = RoutingParams(
            time_limit_s=_seconds(options["time_limit"]),
            seed=_whole("--seed", options["seed"], 0) or 0,
            max_vehicles=_whole("--vehicles", options["vehicles"], 1),
            max_iterations=_whole("--max-iterations", options["max_iterations"], 1),
        )
        try:
            instance = read_instance(Path(options["file"]))
        except CvrplibFormatError as exc:
            raise _bad(str(exc)) from None
        result = solve_cvrp(instance, params)
        check = check_routes(instance, result.routes)
        within_fleet = params.max_vehicles is None or result.vehicles_used <= params.max_vehicles
        # The checker judges the routes, not the solver's claim: an infeasible result
        # fails it, and a feasible one whose recomputed cost differs fails it too.
        passed = check.ok and within_fleet and check.cost == result.cost
        violations = list(check.violations)
        if not within_fleet:
            violations.append(
                f"{result.vehicles_used} routes, over the cap of {params.max_vehicles}"
            )
        payload = {
            "instance": instance.name,
            "customers": instance.num_customers,
            "capacity": instance.capacity,
            "feasible": result.feasible,
            "cost": result.cost,
            "vehicles_used": result.vehicles_used,
            "routes": [list(route) for route in result.routes],
            "solver": result.solver,
            "seed": params.seed,
            "time_limit_s": params.time_limit_s,
            "max_iterations": params.max_iterations,
            "max_vehicles": params.max_vehicles,
            "iterations": result.iterations,
            "runtime_s": round(result.runtime_s, 3),
            "checker": "pass" if passed else "fail",
            "checker_cost": check.cost,
            "violations": violations,
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(payload))
        else:
            self._summary(payload)

    def _summary(self, payload: dict[str, Any]) -> None:
        out = self.stdout.write
        state = "feasible" if payload["feasible"] else "NOT feasible"
        out(
            f"{payload['instance']}: {payload['customers']} customers, capacity "
            f"{payload['capacity']}; {state}, cost {payload['cost']}, "
            f"{payload['vehicles_used']} routes; checker {payload['checker']}; "
            f"{payload['solver']}, seed {payload['seed']}, {payload['runtime_s']} s"
        )
        for number, route in enumerate(payload["routes"], start=1):
            out(f"Route #{number}: {' '.join(str(c) for c in route)}")
        for violation in payload["violations"]:
            out(f"! {violation}")
