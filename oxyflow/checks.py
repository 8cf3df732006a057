"""System checks for settings that are unsafe in production (ids are stable)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


def _production() -> bool:
    return not settings.DEBUG and settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    from oxyflow.settings import INSECURE_DEV_SECRET_KEY

    key = settings.SECRET_KEY
    if key == INSECURE_DEV_SECRET_KEY:
        message = "SECRET_KEY is not set: the built-in development key is in use."
        hint = (
            "Set SECRET_KEY to 50+ random characters, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
        if _production():
            return [Error(message, hint=hint, id="oxyflow.E001")]
        return [Warning(message, hint=hint, id="oxyflow.W001")]
    if len(key) < 32:
        return [
            Error(
                "SECRET_KEY is shorter than 32 characters.",
                hint="Use 50+ random characters.",
                id="oxyflow.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_debug_and_hosts(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if settings.DEBUG and settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        problems.append(
            Warning(
                "DEBUG is on with a PostgreSQL database: error pages show settings and data.",
                hint="Set DEBUG=0 in production.",
                id="oxyflow.W002",
            )
        )
    if "*" in settings.ALLOWED_HOSTS and not settings.DEBUG:
        problems.append(
            Error(
                "ALLOWED_HOSTS contains '*' with DEBUG off.",
                hint="List the host names the platform is served under.",
                id="oxyflow.E003",
            )
        )
    if _production() and not settings.SESSION_COOKIE_SECURE:
        problems.append(
            Warning(
                "Session and CSRF cookies are sent over plain HTTP.",
                hint="Serve over HTTPS and set OXYFLOW_SECURE_COOKIES=1.",
                id="oxyflow.W003",
            )
        )
    return problems
