"""Who an alert reaches at each step of its escalation ladder, and when.

A site's ladder: step 0 is the site's own people — the facility staff attached to a
facility (or the producer staff of a producer's organisation) and the site's contacts;
then one step per region above the site that is a district, a province or a country
(the ministry), bottom up. A region's people are those on duty at ``now`` in its
on-call roster (:class:`~oxyflow.alerts.models.OnCallShift`); when nobody is on duty
there, its coordinators (and, for a country, its ministry users) are written to
instead, and the alert's history says so.

Phone numbers for SMS: the shift's own number, else the user's profile phone; for a
site's contacts, the contact's phone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from oxyflow.accounts.models import Profile, Role
from oxyflow.alerts.models import LEVEL_OF_REGION, EscalationLevel, OnCallShift
from oxyflow.registry import models as reg

# Region levels that form a step of the ladder (a commune's alerts go to its district).
LADDER_LEVELS = (reg.RegionLevel.DISTRICT, reg.RegionLevel.PROVINCE, reg.RegionLevel.COUNTRY)


@dataclass(frozen=True)
class Person:
    """Someone to write to: a user, or a site contact (``user_id`` None)."""

    name: str
    email: str
    phone: str
    user_id: int | None = None


@dataclass
class Rung:
    """One step of a site's ladder: its level, region (None at the site) and people."""

    level: EscalationLevel
    region: reg.Region | None
    people: list[Person] = field(default_factory=list)
    fallback: str = ""  # why the people are not the roster's (nobody on duty)


def _region_codes(path: str) -> list[str]:
    return [code for code in path.split("/") if code]


def ladders(sites: Sequence[reg.Site], now: datetime) -> dict[int, list[Rung]]:
    """Each site's ladder at ``now`` (site pk → rungs, step 0 first); a few queries."""
    codes = {code for site in sites for code in _region_codes(site.region.path)}
    regions = {
        r.code: r
        for r in reg.Region.objects.filter(code__in=codes, level__in=LADDER_LEVELS).only(
            "pk", "code", "name", "level", "path"
        )
    }
    region_ids = [r.pk for r in regions.values()]
    on_duty = _on_duty(region_ids, now)
    fallback = _fallback(region_ids)
    site_people = _site_people(sites)
    result: dict[int, list[Rung]] = {}
    for site in sites:
        rungs = [Rung(EscalationLevel.FACILITY, None, site_people.get(site.pk, []))]
        for code in reversed(_region_codes(site.region.path)):
            region = regions.get(code)
            if region is None:
                continue
            rung = Rung(LEVEL_OF_REGION[reg.RegionLevel(region.level)], region)
            if on_duty.get(region.pk):
                rung.people = on_duty[region.pk]
            else:
                rung.people = fallback.get(region.pk, [])
                rung.fallback = region.name
            rungs.append(rung)
        result[site.pk] = rungs
    return result


def _phones(user_ids: Iterable[int]) -> dict[int, str]:
    return dict(
        Profile.objects.filter(user_id__in=set(user_ids))
        .exclude(phone="")
        .values_list("user_id", "phone")
    )


def _person(user: object, phone: str) -> Person:
    name = user.get_full_name() or user.get_username()  # type: ignore[attr-defined]
    return Person(name, user.email, phone, user.pk)  # type: ignore[attr-defined]


def _on_duty(region_ids: Sequence[int], now: datetime) -> dict[int, list[Person]]:
    shifts = list(
        OnCallShift.objects.filter(
            region_id__in=region_ids, starts_at__lte=now, ends_at__gt=now, user__is_active=True
        )
        .select_related("user")
        .order_by("region_id", "starts_at", "pk")
    )
    phones = _phones(s.user_id for s in shifts)
    found: dict[int, list[Person]] = defaultdict(list)
    for shift in shifts:
        person = _person(shift.user, shift.phone or phones.get(shift.user_id, ""))
        if all(p.user_id != person.user_id for p in found[shift.region_id]):
            found[shift.region_id].append(person)
    return found


def _fallback(region_ids: Sequence[int]) -> dict[int, list[Person]]:
    """The coordinators of each region, and the ministry users of a country."""
    profiles = (
        Profile.objects.filter(
            region_id__in=region_ids,
            role__in=[Role.COORDINATOR, Role.MINISTRY],
            user__is_active=True,
        )
        .select_related("user", "region")
        .order_by("region_id", "user__username")
    )
    found: dict[int, list[Person]] = defaultdict(list)
    for profile in profiles:
        if profile.role == Role.MINISTRY and profile.region.level != reg.RegionLevel.COUNTRY:
            continue
        found[profile.region_id].append(_person(profile.user, profile.phone))
    return found


def _site_people(sites: Sequence[reg.Site]) -> dict[int, list[Person]]:
    found: dict[int, list[Person]] = defaultdict(list)
    facility_ids = [s.pk for s in sites if s.kind == reg.SiteKind.FACILITY]
    links = (
        Profile.facilities.through.objects.filter(
            facility_id__in=facility_ids,
            profile__role=Role.FACILITY_STAFF,
            profile__user__is_active=True,
        )
        .select_related("profile__user")
        .order_by("facility_id", "profile__user__username")
    )
    for link in links:
        found[link.facility_id].append(_person(link.profile.user, link.profile.phone))
    by_org: dict[int, list[int]] = defaultdict(list)
    for site in sites:
        if site.kind == reg.SiteKind.PRODUCER and site.organisation_id is not None:
            by_org[site.organisation_id].append(site.pk)
    if by_org:
        for profile in (
            Profile.objects.filter(
                role=Role.PRODUCER_STAFF, organisation_id__in=by_org, user__is_active=True
            )
            .select_related("user")
            .order_by("user__username")
        ):
            for site_id in by_org[profile.organisation_id]:  # type: ignore[index]
                found[site_id].append(_person(profile.user, profile.phone))
    for contact in reg.Contact.objects.filter(site_id__in=[s.pk for s in sites]).order_by(
        "site_id", "role", "name"
    ):
        if contact.email or contact.phone:
            found[contact.site_id].append(Person(contact.name, contact.email, contact.phone))
    return found
