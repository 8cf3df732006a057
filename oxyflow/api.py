"""The REST API root: ``/api/v1/``, authentication and the one error shape for every 4xx.

Every 4xx answers ``{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`` — the
shape django-ninja uses for validation errors — with the offending ``input`` where it
is safe to echo. Creating POSTs accept ``Idempotency-Key`` (see
:mod:`oxyflow.accounts.idempotency`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, field_validator

from oxyflow.accounts.models import ApiToken
from oxyflow.core.calendars import EARLIEST_DAY


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str
    input: Any | None = None


class ErrorOut(Schema):
    detail: list[ErrorItem]


class InputSchema(Schema):
    """A request body: text may not contain NUL, which PostgreSQL cannot store."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            raise ValueError("text may not contain the NUL character")
        return value


def _iso_text(value: Any) -> Any:
    # Pydantic reads a bare number as a Unix timestamp; the schema promises ISO 8601 text.
    if isinstance(value, int | float):
        raise ValueError(
            "give the time as ISO 8601 text with its offset, e.g. 2021-07-15T08:00+01:00"
        )
    return value


def _iso_day(value: Any) -> Any:
    # A query string's "0" would otherwise be read as a Unix timestamp (1970-01-01).
    if isinstance(value, int | float) or (
        isinstance(value, str) and not _ISO_DAY.fullmatch(value.strip())
    ):
        raise ValueError("give the day as ISO 8601 text, e.g. 2021-07-15")
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _plausible_day(value: date) -> date:
    if value < EARLIEST_DAY:
        raise ValueError(f"give a day from {EARLIEST_DAY.isoformat()} on")
    return value


# A time with its offset, as ISO 8601 text; a day as ISO 8601 text.
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text)]
Day = Annotated[date, BeforeValidator(_iso_day), AfterValidator(_plausible_day)]


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.authenticate(token)
        if found is None:
            return None
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The browser session (CSRF-checked on unsafe methods)."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class OxyFlowAPI(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[Any]
    ) -> NinjaValidationError:
        # django-ninja drops the offending input; keep it when it is a short scalar, so a
        # client sees which value was refused (bodies may be large or carry secrets).
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                field_loc = model.__ninja_flatten_map_reverse__.get(error["loc"], error["loc"])
                if model.__ninja_param_source__ == "body" and field_loc[:1] == ("payload",):
                    # Every body is the `payload` parameter: name the field as the domain
                    # rules do (["body", "beds_total"]), so one field has one location.
                    field_loc = field_loc[1:]
                loc = (model.__ninja_param_source__, *field_loc)
                item: dict[str, Any] = {
                    "loc": list(loc),
                    "msg": error["msg"],
                    "type": error["type"],
                }
                raw = error.get("input")
                if isinstance(raw, bool | int | float) or (
                    isinstance(raw, str) and len(raw) <= 200
                ):
                    item["input"] = raw
                errors.append(item)
        return NinjaValidationError(errors)


api = OxyFlowAPI(
    title="OxyFlow API",
    version="1",
    description=(
        "Medical oxygen supply coordination. Quantities carry their unit in the field name "
        "(`_kg`, `_l`, `_nm3`, `_per_day`); gas volumes are Nm³ (0 °C, 1.01325 bar) unless "
        "a field says otherwise. Every 4xx has the shape `{detail: [{loc, msg, type}]}`. "
        "Creating POSTs accept an `Idempotency-Key` header: a retry with the same key "
        "returns the first answer."
    ),
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def error_body(loc: list[str | int], msg: str, type_: str, value: Any = None) -> dict[str, Any]:
    item: dict[str, Any] = {"loc": loc, "msg": msg, "type": type_}
    if value is not None:
        item["input"] = value
    return {"detail": [item]}


def _respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, body, status=status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail = []
    for err in exc.errors:
        item = {
            "loc": list(err.get("loc", [])),
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "value_error")),
        }
        raw = err.get("input")
        # Echo scalar input only: nested bodies may be large or carry secrets.
        if isinstance(raw, str | int | float | bool) and not isinstance(raw, bytes):
            item["input"] = raw
        detail.append(item)
    return _respond(request, 422, {"detail": detail})


def django_validation_detail(
    exc: DjangoValidationError, prefix: str = "body"
) -> list[dict[str, Any]]:
    """Flatten a model ValidationError into the API's error items."""
    detail: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                loc: list[str | int] = [prefix] if field == "__all__" else [prefix, field]
                detail.append(
                    {"loc": loc, "msg": " ".join(error.messages), "type": error.code or "invalid"}
                )
    else:
        for message in exc.messages:
            detail.append({"loc": [prefix], "msg": message, "type": "invalid"})
    return detail


@api.exception_handler(DjangoValidationError)
def _model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return _respond(request, 422, {"detail": django_validation_detail(exc)})


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _respond(request, 404, error_body(["path"], "Not found.", "not_found"))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    msg = str(exc) or "You may read this but not change it."
    return _respond(request, 403, error_body([], msg, "permission_denied"))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _respond(
        request,
        401,
        error_body(
            ["header", "Authorization"],
            "Log in or send 'Authorization: Bearer <token>'.",
            "not_authenticated",
        ),
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # django-ninja's only 400: a body that is not valid JSON.
        return _respond(request, 400, error_body(["body"], str(exc), "invalid_json"))
    return _respond(request, exc.status_code, error_body([], str(exc), "http_error"))


def _core_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A domain rule broken in the core: 422 naming the field, value and rule."""
    field = str(getattr(exc, "field", "")).replace("[", ".").replace("]", "")
    loc: list[str | int] = ["body", *[int(p) if p.isdigit() else p for p in field.split(".") if p]]
    value = getattr(exc, "value", None)
    if not isinstance(value, bool | int | float | str):
        value = None
    return _respond(request, 422, error_body(loc, str(exc), "value_error", value))


def _report_rejected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A report breaking hard rules: one item per field path (``lox_tanks.0.level``)."""
    detail = []
    for path, messages in getattr(exc, "errors", {}).items():
        loc: list[str | int] = ["body", *[int(p) if p.isdigit() else p for p in path.split(".")]]
        for message in messages:
            detail.append({"loc": loc, "msg": message, "type": "value_error"})
    return _respond(request, 422, {"detail": detail})


def _register_routers() -> None:
    from oxyflow.accounts.api import router as accounts_router
    from oxyflow.alerts.api import router as alerts_router
    from oxyflow.core.autonomy import AutonomyError
    from oxyflow.core.demand import DemandError
    from oxyflow.core.network import NetworkError
    from oxyflow.core.projection import ProjectionError
    from oxyflow.core.scenarios import ScenarioError
    from oxyflow.core.units import UnitError
    from oxyflow.dashboard.api import router as dashboard_router
    from oxyflow.incidents.api import router as incidents_router
    from oxyflow.registry.api import router as registry_router
    from oxyflow.reporting.api import router as reporting_router
    from oxyflow.reporting.services import ReportRejected
    from oxyflow.reporting.upload_api import router as upload_router
    from oxyflow.scenarios.api import router as scenarios_router
    from oxyflow.sitrep.api import router as sitrep_router
    from oxyflow.stock.errors import LedgerError

    for error in (
        AutonomyError,
        DemandError,
        NetworkError,
        ProjectionError,
        ScenarioError,
        UnitError,
        LedgerError,
    ):
        api.add_exception_handler(error, _core_error)
    api.add_router("/", accounts_router)
    api.add_router("/", registry_router)
    api.add_router("/", scenarios_router)
    api.add_router("/", reporting_router)
    api.add_router("/", upload_router)
    api.add_router("/", alerts_router)
    api.add_router("/", incidents_router)
    api.add_router("/", dashboard_router)
    api.add_router("/", sitrep_router)
    api.add_exception_handler(ReportRejected, _report_rejected)


_register_routers()
