"""The one permission layer: what a user may see and change.

Admin, pages and API all filter through :func:`visible` and :func:`editable`, so a
rule changes in one place. An object outside what a user may see is answered with 404
(the caller uses these querysets with ``get_object_or_404``), never 403, so its
existence is not revealed.

Rules, by role:
- ministry: everything in its country; edits everything there, catalogues included;
- coordinator: its region and everything below; reads the producers contracted to its
  facilities; edits sites, fleet and contracts in its region and manages its users;
- facility staff: its facilities (read and edit);
- producer/transporter staff: its organisation's sites and vehicles (read and edit);
- viewer: reads its region, changes nothing;
- anyone else (no profile, inactive): nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Q

from oxyflow.accounts.models import Profile, Role
from oxyflow.registry import models as reg
from oxyflow.reporting import models as rep
from oxyflow.stock.models import Balance, Movement

M = TypeVar("M", bound=models.Model)

_NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    superuser: bool
    role: Role | None
    region_path: str | None
    organisation_id: int | None
    facility_ids: frozenset[int]

    @property
    def regional(self) -> bool:
        return self.role in (Role.MINISTRY, Role.COORDINATOR, Role.VIEWER)

    @property
    def country_path(self) -> str | None:
        return self.region_path.split("/", 1)[0] + "/" if self.region_path else None


NO_SCOPE = Scope(False, None, None, None, frozenset())


def scope_for(user: AbstractBaseUser | AnonymousUser | None) -> Scope:
    """The scope of a user, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached: Scope | None = getattr(user, "_oxyflow_scope", None)
    if cached is not None:
        return cached
    if getattr(user, "is_superuser", False):
        scope = Scope(True, Role.MINISTRY, None, None, frozenset())
    else:
        profile = Profile.objects.select_related("region").filter(user_id=user.pk).first()
        if profile is None:
            scope = NO_SCOPE
        else:
            scope = Scope(
                superuser=False,
                role=Role(profile.role),
                region_path=profile.region.path if profile.region else None,
                organisation_id=profile.organisation_id,
                facility_ids=frozenset(profile.facilities.values_list("pk", flat=True)),
            )
    user._oxyflow_scope = scope  # type: ignore[union-attr]
    return scope


# --- sites -------------------------------------------------------------------------------


def _site_q(scope: Scope, prefix: str, *, edit: bool) -> Q:
    """Which sites a scope reaches; ``prefix`` is the lookup path from the model to a Site."""
    if scope.superuser:
        return Q()
    role = scope.role
    if role is None or (edit and role == Role.VIEWER):
        return _NOTHING
    if scope.regional and scope.region_path:
        q = Q(**{f"{prefix}region__path__startswith": scope.region_path})
        if not edit:
            # Suppliers outside the region that serve its facilities are read-only context.
            suppliers = reg.SupplyContract.objects.filter(
                facility__region__path__startswith=scope.region_path
            ).values("producer_id")
            q |= Q(**{f"{prefix}pk__in": suppliers})
        return q
    if role == Role.FACILITY_STAFF:
        return Q(**{f"{prefix}pk__in": list(scope.facility_ids)})
    if role == Role.PRODUCER_STAFF and scope.organisation_id:
        return Q(**{f"{prefix}organisation_id": scope.organisation_id})
    return _NOTHING


# Models whose visibility follows one site, and the lookup that reaches it.
SITE_LOOKUPS: dict[type[models.Model], str] = {
    reg.Site: "",
    reg.Facility: "",
    reg.Producer: "",
    reg.Depot: "",
    reg.Contact: "site__",
    reg.LoxTank: "facility__",
    reg.FacilityConcentrators: "facility__",
    reg.ProducerCapacity: "producer__",
    Movement: "site__",
    Balance: "site__",
    rep.FacilityReport: "facility__",
    rep.FacilityReportTank: "report__facility__",
    rep.FacilityReportCylinders: "report__facility__",
    rep.ProducerReport: "producer__",
    rep.ProducerReportLine: "report__producer__",
    rep.TankReading: "tank__facility__",
    rep.FacilityStatus: "facility__",
    rep.Reminder: "site__",
}


def _q(model: type[models.Model], scope: Scope, *, edit: bool) -> Q:
    if scope.superuser:
        return Q()
    if scope.role is None:
        return _NOTHING
    if model in SITE_LOOKUPS:
        return _site_q(scope, SITE_LOOKUPS[model], edit=edit)
    role = scope.role
    if model is reg.Region:
        if not scope.regional or not scope.region_path or (edit and role != Role.MINISTRY):
            return _NOTHING
        return Q(path__startswith=scope.region_path)
    if model is reg.Country:
        if not scope.regional or (edit and role != Role.MINISTRY):
            return _NOTHING
        return Q(region__path=scope.country_path)
    if model in (reg.Product, reg.CylinderType):
        # National catalogues: everyone with a role reads them; the ministry keeps them.
        return Q() if not edit or role == Role.MINISTRY else _NOTHING
    if model is reg.Organisation:
        if role == Role.PRODUCER_STAFF:
            # Staff read their organisation; only the ministry changes it.
            return _NOTHING if edit else Q(pk=scope.organisation_id)
        if edit:
            return (
                Q(country__region__path=scope.country_path) if role == Role.MINISTRY else _NOTHING
            )
        if role == Role.MINISTRY:
            return Q(country__region__path=scope.country_path)
        visible_sites = reg.Site.objects.filter(_site_q(scope, "", edit=False))
        return Q(pk__in=visible_sites.values("organisation_id"))
    if model is reg.Vehicle:
        if role == Role.PRODUCER_STAFF:
            return Q(organisation_id=scope.organisation_id)
        if not scope.regional or (edit and role == Role.VIEWER):
            return _NOTHING
        return Q(home_depot__region__path__startswith=scope.region_path)
    if model is reg.VehicleCylinderCapacity:
        return Q(vehicle__in=reg.Vehicle.objects.filter(_q(reg.Vehicle, scope, edit=edit)))
    if model is reg.SupplyContract:
        if edit and role not in (Role.MINISTRY, Role.COORDINATOR):
            return _NOTHING
        q = _site_q(scope, "facility__", edit=edit)
        if role == Role.PRODUCER_STAFF and not edit:
            q |= Q(producer__organisation_id=scope.organisation_id)
        return q
    if model is Profile:
        return _profile_q(scope, edit=edit)
    if model in _CONTRIBUTED_RULES:
        return _CONTRIBUTED_RULES[model](scope, edit)
    if model is rep.ReportingRule:
        if not scope.regional or not scope.region_path:
            return _NOTHING
        if edit and role not in (Role.MINISTRY, Role.COORDINATOR):
            return _NOTHING
        return Q(region__path__startswith=scope.region_path)
    raise LookupError(f"No scope rule for {model.__name__}")


def _profile_q(scope: Scope, *, edit: bool) -> Q:
    """Users a manager may see and manage: only those whose whole scope lies within the
    manager's, never a superuser. Producer/transporter staff act nationally for their
    organisation, so only the ministry of its country manages them."""
    if scope.role not in (Role.MINISTRY, Role.COORDINATOR) or not scope.region_path:
        return _NOTHING
    path = scope.region_path
    outside = reg.Facility.objects.exclude(region__path__startswith=path).values("pk")
    reaches_outside = Profile.objects.filter(facilities__in=outside).values("pk")
    q = Q(region__path__startswith=path) & ~Q(role=Role.MINISTRY)
    q |= Q(role=Role.FACILITY_STAFF, facilities__region__path__startswith=path) & ~Q(
        pk__in=reaches_outside
    )
    if scope.role == Role.MINISTRY:
        q |= Q(role=Role.PRODUCER_STAFF, organisation__country__region__path=scope.country_path)
        q |= Q(role=Role.MINISTRY, region__path=path)
    return q & Q(user__is_superuser=False)


# --- rules contributed by apps built on the registry ----------------------------------
#
# Apps that come later (alerts, incidents, …) declare here, from their AppConfig.ready(),
# how their rows reach a site or a region; what a role may reach stays decided above
# (``site_q``, ``region_q``), so the rules themselves still live in this module.

Rule = Callable[[Scope, bool], Q]
_CONTRIBUTED_RULES: dict[type[models.Model], Rule] = {}


def register_site_lookup(model: type[models.Model], lookup: str) -> None:
    """``model``'s rows are visible and editable exactly as the site at ``lookup``."""
    SITE_LOOKUPS[model] = lookup


def register_rule(model: type[models.Model], rule: Rule) -> None:
    """``rule(scope, edit)`` gives the Q of ``model``'s rows a scope reaches."""
    _CONTRIBUTED_RULES[model] = rule


def site_q(scope: Scope, prefix: str, *, edit: bool) -> Q:
    """Which sites a scope reaches, for a contributed rule (``prefix`` leads to a Site)."""
    return _site_q(scope, prefix, edit=edit)


def region_q(scope: Scope, prefix: str, *, edit: bool) -> Q:
    """Rows placed in a region (``prefix`` leads to a Region) that a regional role reaches.

    Ministry, coordinators and viewers reach their region and below (viewers read only);
    site-bound roles reach no region as such.
    """
    if scope.superuser:
        return Q()
    if not scope.regional or not scope.region_path or (edit and scope.role == Role.VIEWER):
        return _NOTHING
    return Q(**{f"{prefix}path__startswith": scope.region_path})


def is_scoped(model: type[models.Model]) -> bool:
    """Whether ``model`` has a scope rule (foreign-key choices in forms are narrowed)."""
    return model in SCOPED_MODELS or model in SITE_LOOKUPS or model in _CONTRIBUTED_RULES


# Models with a scope rule of this module (see also :func:`is_scoped`).
SCOPED_MODELS: frozenset[type[models.Model]] = frozenset(
    [
        *SITE_LOOKUPS,
        reg.Region,
        reg.Country,
        reg.Product,
        reg.CylinderType,
        reg.Organisation,
        reg.Vehicle,
        reg.VehicleCylinderCapacity,
        reg.SupplyContract,
        Profile,
        rep.ReportingRule,
    ]
)


def visible(queryset: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    """The rows of ``queryset`` the user may see."""
    scope = scope_for(user)
    if scope.role is None and not scope.superuser:
        return queryset.none()
    return queryset.filter(_q(queryset.model, scope, edit=False)).distinct()


def editable(queryset: models.QuerySet[M], user: Any) -> models.QuerySet[M]:
    """The rows of ``queryset`` the user may change."""
    scope = scope_for(user)
    if scope.role is None and not scope.superuser:
        return queryset.none()
    return queryset.filter(_q(queryset.model, scope, edit=True)).distinct()


def can_view(user: Any, obj: models.Model) -> bool:
    return visible(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def can_edit(user: Any, obj: models.Model) -> bool:
    return editable(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def can_create(user: Any, model: type[models.Model]) -> bool:
    """Whether a user may add rows of a model at all (the row's own scope is checked too)."""
    scope = scope_for(user)
    if scope.superuser:
        return True
    role = scope.role
    if role in (None, Role.VIEWER):
        return False
    if model in (reg.Product, reg.CylinderType, reg.Organisation, reg.Country, reg.Region):
        return role == Role.MINISTRY
    if model in (
        reg.Facility,
        reg.Producer,
        reg.Depot,
        reg.SupplyContract,
        Profile,
        rep.ReportingRule,
    ):
        return role in (Role.MINISTRY, Role.COORDINATOR)
    if model in (reg.Vehicle, reg.VehicleCylinderCapacity):
        return role in (Role.MINISTRY, Role.COORDINATOR, Role.PRODUCER_STAFF)
    # Children of a site (contacts, tanks, capacities): the parent's edit right decides.
    return model in SITE_LOOKUPS


def region_in_scope(user: Any, region: reg.Region) -> bool:
    """Whether a new row may be placed in ``region`` by this user."""
    scope = scope_for(user)
    if scope.superuser:
        return True
    return bool(
        scope.role in (Role.MINISTRY, Role.COORDINATOR)
        and scope.region_path
        and region.path.startswith(scope.region_path)
    )
