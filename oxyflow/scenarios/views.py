"""The scenario page: the form, the results of ``services.run`` and their charts.

Every figure comes from :func:`oxyflow.scenarios.services.run`, the function the CLI and
the API call, so the page, ``oxyflow scenario --format json`` and the JSON download agree.
Charts are inline SVG drawn from geometry computed here (no JavaScript: the platform must
work offline).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import get_language_bidi, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.core.demand import DemandError
from oxyflow.core.scenarios import ScenarioError
from oxyflow.registry import models as reg
from oxyflow.scenarios import services
from oxyflow.scenarios.forms import ScenarioForm

# Core error fields that a form field of another name stands for.
CORE_FIELDS = {"high_flow_l_per_min": "hfnc_l_per_min"}

BINDING_CONSTRAINTS = {
    "supply": pgettext_lazy("binding constraint", "Supply"),
    "transport": pgettext_lazy("binding constraint", "Transport"),
    "storage": pgettext_lazy("binding constraint", "Storage"),
    "none": pgettext_lazy("binding constraint", "None"),
}

# (result key, row label, decimal places) of the totals table, top to bottom.
TOTAL_ROWS = (
    ("severe", gettext_lazy("Severe patients"), 0),
    ("critical", gettext_lazy("Critical patients"), 0),
    ("oxygen_m3_per_day", gettext_lazy("Oxygen (Nm³/day)"), 0),
    ("lox_tonnes_per_day", gettext_lazy("Liquid oxygen (t/day)"), 2),
    ("cylinders_per_day", gettext_lazy("Cylinders filled (per day)"), 0),
    ("cylinders_in_circulation", gettext_lazy("Cylinders in circulation"), 0),
    ("concentrators", gettext_lazy("Concentrators (10 L/min)"), 0),
    ("psa_m3_per_h", gettext_lazy("PSA capacity (Nm³/h)"), 1),
    ("storage_kg", gettext_lazy("Reserve storage (kg of liquid oxygen)"), 0),
    ("oxygen_beds", gettext_lazy("Oxygen beds"), 0),
    ("icu_beds", gettext_lazy("ICU beds"), 0),
    ("health_workers", gettext_lazy("Health workers"), 0),
)
PPE_ROWS = (
    ("gloves_pairs", gettext_lazy("Examination gloves (pairs/day)")),
    ("gowns", gettext_lazy("Gowns (per day)")),
    ("medical_masks", gettext_lazy("Medical masks (per day)")),
    ("respirators", gettext_lazy("Respirators (per day)")),
    ("face_shields", gettext_lazy("Face shields (per day)")),
    ("aprons", gettext_lazy("Aprons (per day)")),
)


@login_required
def run(request: HttpRequest) -> HttpResponse:
    """The scenario form (GET, bookmarkable) and, once valid, its results and charts."""
    scope = scopes.scope_for(request.user)
    if scope.role is None and not scope.superuser:
        return render(request, "scenarios/run.html", {"no_role": True})
    form = ScenarioForm(request.GET or None, user=request.user)
    context: dict[str, Any] = {"form": form}
    result = _run(form) if form.is_bound and form.is_valid() else None
    if result is not None:
        context.update(_results(result, rtl=get_language_bidi()))
    return render(request, "scenarios/run.html", context)


@login_required
def export(request: HttpRequest) -> JsonResponse:
    """``services.run`` output as JSON, as ``oxyflow scenario --format json`` prints it."""
    scope = scopes.scope_for(request.user)
    if scope.role is None and not scope.superuser:
        return JsonResponse({"detail": [_error([], _no_role_message(), "permission")]}, status=403)
    form = ScenarioForm(request.GET, user=request.user)
    result = _run(form) if form.is_valid() else None
    if result is None:
        detail = [
            _error([] if name == "__all__" else ["query", name], str(message), "value_error")
            for name, messages in form.errors.items()
            for message in messages
        ]
        return JsonResponse({"detail": detail}, status=422)
    response = JsonResponse(result, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="oxyflow-scenario.json"'
    return response


def _error(loc: list[str], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


def _no_role_message() -> str:
    return _(
        "Your account has no role yet. Ask your coordinator to give you access to a region, "
        "facility or organisation."
    )


def _run(form: ScenarioForm) -> dict[str, Any] | None:
    """Run the form's scenario; a broken core rule becomes an error on its field."""
    try:
        return services.run(form.scenario_request(), form.cleaned_data["region"])
    except (ScenarioError, DemandError) as exc:
        name = CORE_FIELDS.get(exc.field, exc.field)
        # Quote the value as typed where the rule is about one field of the form.
        value = form.data.get(name, exc.value) if name in form.fields else exc.value
        message = _("“%(value)s” is not accepted: %(rule)s.") % {
            "value": value,
            "rule": exc.rule,
        }
        form.add_error(name if name in form.fields else None, message)
        return None


def _results(result: dict[str, Any], *, rtl: bool) -> dict[str, Any]:
    scenarios = result["scenarios"]
    with_cylinders = scenarios[0]["cylinders_per_day"] is not None
    rows = [
        {
            "key": key,
            "label": label,
            "decimals": decimals,
            "cells": [
                {
                    "value": s[key],
                    "low": s.get(f"{key}_low"),
                    "high": s.get(f"{key}_high"),
                }
                for s in scenarios
            ],
        }
        for key, label, decimals in TOTAL_ROWS
        if with_cylinders or not key.startswith("cylinders_")
    ]
    ppe_rows = [
        {"label": label, "values": [s["ppe_per_day"][key] for s in scenarios]}
        for key, label in PPE_ROWS
    ]
    districts = [
        {
            "patients": s["patients"],
            "rows": [
                {
                    **d,
                    "short": d["gap_m3_per_day"] > 0,
                    "binding_label": BINDING_CONSTRAINTS.get(
                        d["binding_constraint"], d["binding_constraint"]
                    ),
                }
                for d in s["districts"]
            ],
        }
        for s in scenarios
        if s["districts"]
    ]
    largest = max(scenarios, key=lambda s: s["patients"])
    conditions = reg.LoxReference(result["reference_conditions"]).label
    return {
        "result": result,
        "rows": rows,
        "ppe_rows": ppe_rows,
        "district_tables": districts,
        "bases": list(dict.fromkeys(s["basis"] for s in scenarios)),
        "conditions_label": conditions,
        "largest_patients": largest["patients"],
        "need_chart": need_chart(scenarios, rtl=rtl),
        "district_chart": district_chart(largest, rtl=rtl) if largest["districts"] else None,
    }


# --------------------------------------------------------------------------- charts


@dataclass
class Chart:
    """SVG geometry in user units; x is mirrored for right-to-left pages.

    Text anchors are logical ("start"/"end" follow the SVG's direction), so the same
    anchor puts a label on the correct side of its point in both directions.
    """

    width: float
    height: float
    title: str
    desc: str
    rtl: bool
    rects: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)

    def _x(self, x: float) -> float:
        return round(self.width - x if self.rtl else x, 1)

    def rect(self, x: float, y: float, w: float, h: float, css: str, title: str = "") -> None:
        left = x + w if self.rtl else x
        self.rects.append(
            {
                "x": self._x(left),
                "y": round(y, 1),
                "w": round(w, 1),
                "h": round(h, 1),
                "css": css,
                "title": title,
            }
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, css: str) -> None:
        self.lines.append(
            {
                "x1": self._x(x1),
                "y1": round(y1, 1),
                "x2": self._x(x2),
                "y2": round(y2, 1),
                "css": css,
            }
        )

    def text(
        self, x: float, y: float, text: str, anchor: str = "middle", css: str = "", rotate: int = 0
    ) -> None:
        self.texts.append(
            {
                "x": self._x(x),
                "y": round(y, 1),
                "text": text,
                "anchor": anchor,
                "css": css,
                "rotate": rotate,
            }
        )


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least ``top``: steps of 1, 2 or 5 × 10ⁿ."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    n = math.ceil(top / step - 1e-9)
    return [i * step for i in range(n + 1)]


def _number(value: float) -> str:
    return number_format(value, decimal_pos=0, force_grouping=True)


def need_chart(scenarios: list[dict[str, Any]], *, rtl: bool) -> Chart:
    """Bars of central oxygen need (Nm³/day) per scenario, with the low-high range."""
    start, end, top, bottom, plot_h, slot = 84.0, 16.0, 20.0, 56.0, 260.0, 96.0
    width = max(480.0, start + end + slot * len(scenarios))
    chart = Chart(
        width,
        top + plot_h + bottom,
        _("Oxygen need per scenario (Nm³/day)"),
        _(
            "One bar per number of patients: the central estimate of oxygen need in Nm³ per "
            "day; the error bar spans the low to high estimate."
        ),
        rtl,
    )
    ticks = nice_ticks(max(s["oxygen_m3_per_day_high"] for s in scenarios))
    scale = plot_h / ticks[-1]
    base = top + plot_h
    for tick in ticks:
        y = base - tick * scale
        chart.line(start, y, width - end, y, "grid")
        chart.text(start - 6, y + 4, _number(tick), anchor="end", css="tick")
    for i, s in enumerate(scenarios):
        x = start + i * slot + slot * 0.2
        w = slot * 0.6
        centre = x + w / 2
        value = s["oxygen_m3_per_day"]
        low, high = s["oxygen_m3_per_day_low"], s["oxygen_m3_per_day_high"]
        title = ngettext(
            "%(patients)s patient: %(value)s Nm³/day (%(low)s–%(high)s)",
            "%(patients)s patients: %(value)s Nm³/day (%(low)s–%(high)s)",
            s["patients"],
        ) % {
            "patients": _number(s["patients"]),
            "value": _number(value),
            "low": _number(low),
            "high": _number(high),
        }
        chart.rect(x, base - value * scale, w, value * scale, "need", title)
        chart.line(centre, base - low * scale, centre, base - high * scale, "range")
        for y in (low, high):
            chart.line(centre - w / 5, base - y * scale, centre + w / 5, base - y * scale, "range")
        chart.text(centre, base - high * scale - 5, _number(value), css="value")
        chart.text(centre, base + 16, _number(s["patients"]), css="tick")
    chart.line(start, base, width - end, base, "axis")
    chart.line(start, top, start, base, "axis")
    chart.text((start + width - end) / 2, base + 40, _("Patients under treatment"), css="axis")
    chart.text(18, top + plot_h / 2, _("Oxygen (Nm³/day)"), css="axis", rotate=-90)
    return chart


def district_chart(scenario: dict[str, Any], *, rtl: bool) -> Chart:
    """Horizontal bars per district: oxygen need against what is available (Nm³/day)."""
    districts = scenario["districts"]
    longest = max(len(d["name"]) for d in districts)
    start = min(220.0, 7.0 * longest + 16)
    plot_w, end, top, row, bottom = 420.0, 72.0, 40.0, 36.0, 48.0
    width = start + plot_w + end
    chart = Chart(
        width,
        top + row * len(districts) + bottom,
        ngettext(
            "Need and available oxygen per district, %(patients)s patient (Nm³/day)",
            "Need and available oxygen per district, %(patients)s patients (Nm³/day)",
            scenario["patients"],
        )
        % {"patients": _number(scenario["patients"])},
        _(
            "Two bars per district: oxygen need and oxygen available (on-site generation "
            "plus deliveries), in Nm³ per day."
        ),
        rtl,
    )
    peak = max(max(d["oxygen_m3_per_day"], d["available_m3_per_day"]) for d in districts)
    ticks = nice_ticks(peak, count=4)
    scale = plot_w / ticks[-1]
    base = top + row * len(districts)
    for tick in ticks:
        x = start + tick * scale
        chart.line(x, top, x, base, "grid")
        chart.text(x, base + 16, _number(tick), css="tick")
    chart.rect(start, 8, 12, 12, "need")
    chart.text(start + 18, 18, _("Need"), anchor="start", css="legend")
    chart.rect(start + 120, 8, 12, 12, "available")
    chart.text(start + 138, 18, _("Available"), anchor="start", css="legend")
    for i, d in enumerate(districts):
        y = top + i * row
        need, available = d["oxygen_m3_per_day"], d["available_m3_per_day"]
        chart.text(start - 6, y + row / 2 + 4, d["name"], anchor="end", css="label")
        chart.rect(
            start,
            y + 6,
            need * scale,
            11,
            "need",
            _("%(district)s: need %(value)s Nm³/day")
            % {"district": d["name"], "value": _number(need)},
        )
        chart.text(start + need * scale + 4, y + 15, _number(need), anchor="start", css="value")
        chart.rect(
            start,
            y + 19,
            available * scale,
            11,
            "available",
            _("%(district)s: available %(value)s Nm³/day")
            % {"district": d["name"], "value": _number(available)},
        )
        chart.text(
            start + available * scale + 4, y + 28, _number(available), anchor="start", css="value"
        )
    chart.line(start, top, start, base, "axis")
    chart.line(start, base, start + plot_w, base, "axis")
    chart.text(start + plot_w / 2, base + 38, _("Oxygen (Nm³/day)"), css="axis")
    return chart
