"""Coordinators manage the users of their scope; everyone manages their own API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from oxyflow.accounts import scopes
from oxyflow.accounts.models import ApiToken, Profile, Role
from oxyflow.registry import models as reg

User = get_user_model()


def _managed_profiles(user: Any) -> Any:
    return scopes.visible(Profile.objects.select_related("user", "region", "organisation"), user)


def _require_manager(user: Any) -> None:
    scope = scopes.scope_for(user)
    if not (scope.superuser or scope.role in (Role.MINISTRY, Role.COORDINATOR)):
        raise Http404


@login_required
def users(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    profiles = _managed_profiles(request.user).order_by("role", "user__username")
    return render(request, "accounts/users.html", {"profiles": profiles})


class InviteForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Email"))
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"), queryset=reg.Region.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=reg.Organisation.objects.none(), required=False
    )
    facilities = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Facilities"), queryset=reg.Facility.objects.none(), required=False
    )

    def __init__(self, *args: Any, manager: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manager = manager
        scope = scopes.scope_for(manager)
        self.fields["region"].queryset = scopes.visible(
            reg.Region.objects.active(), manager
        ).exclude(level=reg.RegionLevel.COMMUNE)
        self.fields["organisation"].queryset = scopes.visible(
            reg.Organisation.objects.all(), manager
        )
        self.fields["facilities"].queryset = scopes.editable(reg.Facility.objects.active(), manager)
        if not scope.superuser and scope.role != Role.MINISTRY:
            # Producer/transporter staff act for their organisation nationwide (all its
            # sites and vehicles), so only the ministry of its country may appoint them;
            # a coordinator, whose scope is one region, may not.
            self.fields["role"].choices = [
                c for c in Role.choices if c[0] not in (Role.MINISTRY, Role.PRODUCER_STAFF)
            ]
            self.fields["role"].error_messages["invalid_choice"] = _(
                "Only the ministry may invite users with this role."
            )
            self.fields["organisation"].queryset = reg.Organisation.objects.none()

    def clean_username(self) -> str:
        name: str = self.cleaned_data["username"]
        if User.objects.filter(username=name).exists():
            raise ValidationError(_("The username %(name)s is taken.") % {"name": name})
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        scope = scopes.scope_for(self.manager)
        region = data.get("region")
        if (
            region is not None
            and not scope.superuser
            and not (scope.region_path and region.path.startswith(scope.region_path))
        ):
            # Never above or beside the manager's own region (the choices already say so).
            self.add_error(
                "region", _("Region %(code)s is outside your scope.") % {"code": region.code}
            )
        if role in (Role.MINISTRY, Role.COORDINATOR, Role.VIEWER) and not data.get("region"):
            self.add_error("region", _("This role needs a region."))
        if (
            role == Role.MINISTRY
            and data.get("region")
            and data["region"].level != reg.RegionLevel.COUNTRY
        ):
            self.add_error("region", _("A ministry user's region must be a country."))
        if role == Role.FACILITY_STAFF and not data.get("facilities"):
            self.add_error("facilities", _("Choose at least one facility."))
        if role == Role.PRODUCER_STAFF:
            org = data.get("organisation")
            if not scope.superuser and scope.role != Role.MINISTRY:
                self.add_error("role", _("Only the ministry may invite users with this role."))
            elif not org:
                self.add_error("organisation", _("This role needs an organisation."))
            elif not scope.superuser and org.country.region.path != scope.country_path:
                # The organisation must belong to the ministry's own country.
                self.add_error(
                    "organisation",
                    _("Organisation %(code)s is outside your scope.") % {"code": org.code},
                )
        return data


def _send_password_link(request: HttpRequest, user: Any, *, invitation: bool) -> None:
    """Email a one-time link to choose a password (Django's reset token and pages).

    Django's PasswordResetForm skips users without a usable password, which is exactly
    what an invited user is, so the invitation builds the same link itself.
    """
    link = request.build_absolute_uri(
        reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )
    context = {"user": user, "link": link, "inviter": request.user, "invitation": invitation}
    subject = _("You are invited to OxyFlow") if invitation else _("Reset your OxyFlow password")
    body = render_to_string("accounts/email/password_link.txt", context)
    send_mail(subject, body, None, [user.email])


@login_required
def invite(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    form = InviteForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            user = User.objects.create_user(
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                is_staff=True,
            )
            user.set_unusable_password()
            user.save()
            profile = Profile(
                user=user,
                role=data["role"],
                invited_by=request.user,
                region=data.get("region")
                if data["role"] in (Role.MINISTRY, Role.COORDINATOR, Role.VIEWER)
                else None,
                organisation=data.get("organisation")
                if data["role"] == Role.PRODUCER_STAFF
                else None,
            )
            profile.full_clean(exclude=["user"])
            profile.save()
            if data["role"] == Role.FACILITY_STAFF:
                profile.facilities.set(data["facilities"])
        _send_password_link(request, user, invitation=True)
        messages.success(
            request,
            _("Invited %(name)s: an email with a link to choose a password was sent to %(email)s.")
            % {"name": user.username, "email": user.email},
        )
        return redirect("accounts:users")
    return render(request, "accounts/invite.html", {"form": form})


def _managed_user(request: HttpRequest, user_id: int) -> Any:
    _require_manager(request.user)
    profile = _managed_profiles(request.user).filter(user_id=user_id).first()
    if profile is None:
        raise Http404
    if profile.user_id == request.user.pk:
        raise PermissionDenied(_("You cannot change your own account here."))
    return profile.user


@login_required
@require_POST
def set_active(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _managed_user(request, user_id)
    activate = request.POST.get("active") == "1"
    target.is_active = activate
    target.save(update_fields=["is_active"])
    if not activate:
        ApiToken.objects.filter(user=target, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    messages.success(
        request,
        (
            _("Reactivated %(name)s.")
            if activate
            else _("Deactivated %(name)s; their API tokens are revoked.")
        )
        % {"name": target.username},
    )
    return redirect("accounts:users")


@login_required
@require_POST
def reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _managed_user(request, user_id)
    if not target.email:
        messages.error(request, _("%(name)s has no email address.") % {"name": target.username})
    else:
        _send_password_link(request, target, invitation=False)
        messages.success(
            request, _("A password reset link was sent to %(email)s.") % {"email": target.email}
        )
    return redirect("accounts:users")


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("What uses it, e.g. 'tank sensor gateway'."),
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": rows, "raw": raw})


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    updated = ApiToken.objects.filter(
        pk=token_id, user=request.user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not updated:
        raise Http404
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
