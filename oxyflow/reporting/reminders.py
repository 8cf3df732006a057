"""Reminders for daily reports: "due soon" before the deadline, "missing" after it.

Each reminder goes by email to the site's contacts that have an address and to the
users attached to the site (facility staff through their facilities, producer staff
through their organisation); a "missing" one copies the coordinators of the site's
region and of the regions above it. When ``OXYFLOW_REPORT_WEBHOOK_URL`` is set, the
same event is POSTed there as JSON.

A :class:`~oxyflow.reporting.models.Reminder` row is claimed (inserted, in its own
transaction) before anything is sent: its unique (site, day, kind) constraint makes a
second run — or a concurrent one — skip what was already sent. A failed email releases
the claim so that the next run tries again; a failed webhook is logged and recorded on
the row, and never stops the run.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _

from oxyflow.accounts.models import Profile, Role
from oxyflow.core.reporting import ReportStatus
from oxyflow.registry import models as reg
from oxyflow.reporting import calendar
from oxyflow.reporting.models import Reminder, ReminderKind
from oxyflow.web.webhooks import post_json

logger = logging.getLogger(__name__)

# A "missing" reminder is sent at the first run after the deadline, but not for a
# deadline older than this: a scheduler back after a long stop, or started for the first
# time, does not flood inboxes about yesterday (the coordinator's page still shows it).
MISSING_WINDOW = timedelta(hours=12)
WEBHOOK_EVENT = "report.reminder"
_STATUS_MAX_LENGTH = 200


@dataclass(frozen=True)
class Recipients:
    """Addresses of one reminder: ``to`` the site's people, ``cc`` its coordinators."""

    to: tuple[str, ...]
    cc: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.to + self.cc


def reminder_lead() -> timedelta:
    """How long before the deadline "due soon" reminders go out (a setting, in minutes)."""
    return timedelta(minutes=settings.OXYFLOW_REPORT_REMINDER_LEAD_MINUTES)


def kind_due(site_day: calendar.SiteDay, now: datetime, lead: timedelta) -> ReminderKind | None:
    """Which reminder, if any, a site's day calls for at ``now``.

    "Due soon" while the report is pending and the deadline is at most ``lead`` away;
    "missing" once the deadline has passed without a report, up to
    :data:`MISSING_WINDOW` after it.
    """
    if site_day.status == ReportStatus.PENDING and lead > timedelta(0):
        if site_day.deadline - lead <= now:
            return ReminderKind.DUE_SOON
    elif site_day.status == ReportStatus.MISSING and now - site_day.deadline <= MISSING_WINDOW:
        return ReminderKind.MISSING
    return None


def send_due_reminders(*, now: datetime, lead: timedelta | None = None) -> list[Reminder]:
    """Send every reminder due at ``now`` in every country; return the reminders sent.

    For each country, the sites' reports of the current local day (and of the day
    before, whose "missing" reminder may still be owed after a late deadline) are
    checked. Safe to run at any time, as often as wanted, concurrently: nothing is ever
    sent twice.
    """
    lead = reminder_lead() if lead is None else lead
    sent: list[Reminder] = []
    for country in reg.Country.objects.select_related("region").order_by("iso_code"):
        try:
            today = country.calendar().local_date(now)
        except ValueError:
            # A country saved with a bad zone or weekend must not stop the others.
            logger.exception("no reminders for %s: its calendar is invalid", country.iso_code)
            continue
        yesterday = today - timedelta(days=1)
        sites = list(calendar.reporting_sites(country.region, on=yesterday))
        due: list[tuple[calendar.SiteDay, ReminderKind]] = []
        for day in (yesterday, today):
            for site_day in calendar.statuses(sites, day, now):
                kind = kind_due(site_day, now, lead)
                if kind is not None:
                    due.append((site_day, kind))
        sent.extend(_send_all(due, now))
    return sent


def _already_sent(keys: Iterable[tuple[int, date, str]]) -> set[tuple[int, date, str]]:
    keys = list(keys)
    if not keys:
        return set()
    rows = Reminder.objects.filter(
        site_id__in={k[0] for k in keys}, report_date__in={k[1] for k in keys}
    ).values_list("site_id", "report_date", "kind")
    return set(rows)


def _send_all(
    due: Sequence[tuple[calendar.SiteDay, ReminderKind]], now: datetime
) -> list[Reminder]:
    done = _already_sent((s.site.pk, s.day, kind) for s, kind in due)
    due = [(s, kind) for s, kind in due if (s.site.pk, s.day, kind.value) not in done]
    if not due:
        return []
    recipients = recipients_for([s.site for s, _kind in due])
    sent = []
    for site_day, kind in due:
        reminder = _send_one(site_day, kind, recipients[site_day.site.pk], now)
        if reminder is not None:
            sent.append(reminder)
    return sent


def _send_one(
    site_day: calendar.SiteDay, kind: ReminderKind, people: Recipients, now: datetime
) -> Reminder | None:
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                site_id=site_day.site.pk, report_date=site_day.day, kind=kind, sent_at=now
            )
    except IntegrityError:
        # Another run claimed this reminder between our check and our insert.
        logger.info("%s reminder for %s %s already sent", kind, site_day.site.code, site_day.day)
        return None
    if kind == ReminderKind.DUE_SOON:
        people = Recipients(people.to, ())
    elif not people.to:
        # Nobody at the site to write to: the coordinators are the ones to act.
        people = Recipients(people.cc, ())
    if people.all:
        try:
            _message(site_day, kind, people).send()
        except (smtplib.SMTPException, OSError):
            logger.exception(
                "%s reminder for %s %s not sent; the next run tries again",
                kind,
                site_day.site.code,
                site_day.day,
            )
            reminder.delete()
            return None
        logger.info(
            "%s reminder for %s %s sent to %d people",
            kind,
            site_day.site.code,
            site_day.day,
            len(people.all),
        )
    else:
        logger.warning(
            "%s reminder for %s %s: nobody to email (no contact or user with an address)",
            kind,
            site_day.site.code,
            site_day.day,
        )
    reminder.recipients = ", ".join(people.all)
    reminder.webhook_status = notify_webhook(site_day, kind)
    reminder.save(update_fields=["recipients", "webhook_status"])
    return reminder


# -------------------------------------------------------------------------- recipients


def _add(found: dict[int, list[str]], key: int, email: str) -> None:
    email = email.strip()
    if email and email.lower() not in {e.lower() for e in found[key]}:
        found[key].append(email)


def _prefixes(path: str) -> list[str]:
    codes = [code for code in path.split("/") if code]
    return ["".join(code + "/" for code in codes[: i + 1]) for i in range(len(codes))]


def recipients_for(sites: Sequence[reg.Site]) -> dict[int, Recipients]:
    """Who is written to about each site (site pk → recipients); a handful of queries.

    ``to``: the site's contacts with an email address, the active facility staff
    attached to a facility, the active producer staff of a producer's organisation.
    ``cc``: the active coordinators of the site's region and of the regions above.
    """
    site_ids = [s.pk for s in sites]
    direct: dict[int, list[str]] = defaultdict(list)
    for site_id, email in (
        reg.Contact.objects.filter(site_id__in=site_ids)
        .exclude(email="")
        .order_by("site_id", "role", "name")
        .values_list("site_id", "email")
    ):
        _add(direct, site_id, email)
    facility_ids = [s.pk for s in sites if s.kind == reg.SiteKind.FACILITY]
    links = Profile.facilities.through.objects.filter(
        facility_id__in=facility_ids,
        profile__role=Role.FACILITY_STAFF,
        profile__user__is_active=True,
    ).exclude(profile__user__email="")
    for facility_id, email in links.order_by("profile__user__email").values_list(
        "facility_id", "profile__user__email"
    ):
        _add(direct, facility_id, email)
    producers_by_org: dict[int, list[int]] = defaultdict(list)
    for site in sites:
        if site.kind == reg.SiteKind.PRODUCER and site.organisation_id is not None:
            producers_by_org[site.organisation_id].append(site.pk)
    for organisation_id, email in (
        Profile.objects.filter(
            role=Role.PRODUCER_STAFF, organisation_id__in=producers_by_org, user__is_active=True
        )
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("organisation_id", "user__email")
    ):
        for site_id in producers_by_org[organisation_id]:
            _add(direct, site_id, email)
    prefixes = {prefix for s in sites for prefix in _prefixes(s.region.path)}
    coordinators: dict[str, list[str]] = defaultdict(list)
    for path, email in (
        Profile.objects.filter(
            role=Role.COORDINATOR, region__path__in=prefixes, user__is_active=True
        )
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("region__path", "user__email")
    ):
        coordinators[path].append(email)
    result = {}
    for site in sites:
        to = direct[site.pk]
        copied: dict[int, list[str]] = defaultdict(list)
        for prefix in _prefixes(site.region.path):
            for email in coordinators[prefix]:
                if email.lower() not in {e.lower() for e in to}:
                    _add(copied, site.pk, email)
        result[site.pk] = Recipients(tuple(to), tuple(copied[site.pk]))
    return result


# ------------------------------------------------------------------------------ email


def _deadline_words(site_day: calendar.SiteDay) -> dict[str, str]:
    local = site_day.local_deadline
    return {
        "code": site_day.site.code,
        "name": site_day.site.name,
        "day": formats.date_format(site_day.day, "DATE_FORMAT"),
        "time": f"{local:%H:%M}",
        "zone": f"{site_day.time_zone}, {site_day.utc_offset}",
    }


def _message(site_day: calendar.SiteDay, kind: ReminderKind, people: Recipients) -> EmailMessage:
    # Users have no language of their own: write in the platform's default language.
    with translation.override(settings.LANGUAGE_CODE):
        words = _deadline_words(site_day)
        if kind == ReminderKind.DUE_SOON:
            subject = _("Daily oxygen report for %(code)s due by %(time)s (%(day)s)") % words
            body = (
                _(
                    "The daily report of %(name)s (%(code)s) for %(day)s is due by %(time)s "
                    "(%(zone)s) and has not been received yet.\n\n"
                    "Please send it before the deadline: through the OxyFlow form, the API, "
                    "or by phone to your regional coordinator."
                )
                % words
            )
        else:
            subject = _("Daily oxygen report missing for %(code)s (%(day)s)") % words
            body = (
                _(
                    "The daily report of %(name)s (%(code)s) for %(day)s was due by %(time)s "
                    "(%(zone)s) and has not been received.\n\n"
                    "Please send it as soon as possible: through the OxyFlow form, the API, or "
                    "by phone to your regional coordinator, who is copied on this message."
                )
                % words
            )
        footer = _("This message was sent automatically by OxyFlow.")
    return EmailMessage(
        subject=subject, body=f"{body}\n\n-- \n{footer}\n", to=list(people.to), cc=list(people.cc)
    )


# ---------------------------------------------------------------------------- webhook


def webhook_payload(site_day: calendar.SiteDay, kind: ReminderKind) -> dict[str, Any]:
    """The JSON body POSTed for a reminder; the deadline in local time with its offset."""
    return {
        "event": WEBHOOK_EVENT,
        "site": site_day.site.code,
        "report_date": site_day.day.isoformat(),
        "deadline": site_day.local_deadline.isoformat(),
        "kind": str(kind),
    }


def notify_webhook(site_day: calendar.SiteDay, kind: ReminderKind) -> str:
    """POST the reminder to the configured webhook; return what happened, never raise.

    ``""`` when no webhook is configured, the HTTP status code when it answered 2xx,
    ``"error: …"`` otherwise (also logged).
    """
    url = settings.OXYFLOW_REPORT_WEBHOOK_URL
    if not url:
        return ""
    outcome, ok = post_json(
        url,
        webhook_payload(site_day, kind),
        timeout=settings.OXYFLOW_REPORT_WEBHOOK_TIMEOUT_SECONDS,
    )
    if not ok:
        logger.warning(
            "webhook for the %s reminder of %s %s failed: %s",
            kind,
            site_day.site.code,
            site_day.day,
            outcome,
        )
    return outcome[:_STATUS_MAX_LENGTH]
