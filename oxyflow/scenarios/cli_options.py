"""Options that `oxyflow scenario` and `oxyflow contingency` share: who the patients are
and how they are spread."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from oxyflow.registry import models as reg
from oxyflow.scenarios.services import MIX_CHOICES


def region_option(code: str) -> reg.Region:
    """The region named by ``--region``, or a command error naming the code."""
    region = reg.Region.objects.filter(code=code).first()
    if region is None:
        raise CommandError(f"--region={code!r} is not a known region code.")
    return region


def add_population_options(parser: CommandParser) -> None:
    parser.add_argument(
        "--profile",
        default="who",
        choices=("who", "india"),
        help="Flow-rate profile (default who: WHO ESFT).",
    )
    parser.add_argument(
        "--mix",
        default="esft",
        choices=MIX_CHOICES,
        help="esft: all cases, 40/40/15/5 %% mild/moderate/severe/critical (default); "
        "oxygen: oxygen patients only, split by --severe-share.",
    )
    parser.add_argument(
        "--severe-share",
        type=float,
        default=0.75,
        help="With --mix oxygen: share of severe patients (default 0.75).",
    )
    parser.add_argument(
        "--spread",
        default="population",
        choices=("population", "beds"),
        help="How patients are spread over districts (default population; oxygen beds "
        "where populations are missing).",
    )
    parser.add_argument(
        "--conditions",
        choices=("normal", "15c", "21c"),
        help="Gas reference conditions (default: the region's country, else normal 0 °C).",
    )
