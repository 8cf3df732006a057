"""System checks for unsafe settings (ids are stable; `oxyflow check --deploy` runs all).

`oxyflow serve` runs the deployment checks before it starts and refuses to serve on an
error; `oxyflow demo` does not, since a laptop demo needs no secret key.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

KEY_HINT = (
    "Set SECRET_KEY to 50+ random characters, e.g. from "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
)


def _uses_postgres() -> bool:
    return str(settings.DATABASES["default"]["ENGINE"]).endswith("postgresql")


def _dev_key_in_use() -> bool:
    from oxyflow.settings import INSECURE_DEV_SECRET_KEY

    return bool(settings.SECRET_KEY == INSECURE_DEV_SECRET_KEY)


@register(Tags.security)
def check_dev_key_with_postgres(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """A PostgreSQL database suggests a real deployment: the built-in key must not be used."""
    if _uses_postgres() and _dev_key_in_use():
        return [
            Warning(
                "SECRET_KEY is not set although a PostgreSQL database is configured.",
                hint=KEY_HINT,
                id="oxyflow.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if _dev_key_in_use():
        return [
            Error(
                "SECRET_KEY is not set: the built-in development key is in use.",
                hint=KEY_HINT,
                id="oxyflow.E001",
            )
        ]
    if len(settings.SECRET_KEY) < 32:
        return [
            Error("SECRET_KEY is shorter than 32 characters.", hint=KEY_HINT, id="oxyflow.E002")
        ]
    return []


@register(Tags.security, deploy=True)
def check_debug_and_hosts(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if settings.DEBUG:
        problems.append(
            Error(
                "DEBUG is on: error pages would show settings and patient-related data.",
                hint="Set DEBUG=0 in production.",
                id="oxyflow.E004",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "ALLOWED_HOSTS contains '*'.",
                hint="List the host names the platform is served under.",
                id="oxyflow.E003",
            )
        )
    if not settings.SESSION_COOKIE_SECURE:
        problems.append(
            Warning(
                "Session and CSRF cookies are sent over plain HTTP.",
                hint="Serve over HTTPS and set OXYFLOW_SECURE_COOKIES=1.",
                id="oxyflow.W003",
            )
        )
    if not _uses_postgres():
        problems.append(
            Warning(
                "The database is SQLite: fine for one machine, not for several web processes.",
                hint="Set DATABASE_URL=postgres://… for a national deployment (docs/deploy.md).",
                id="oxyflow.W004",
            )
        )
    return problems


@register()
def check_front_end_assets(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The map and charts need Leaflet and Chart.js, installed by `npm ci` at set-up."""
    missing = [prefix for prefix, path in settings.VENDOR_ASSETS.items() if not path.is_dir()]
    if not missing:
        return []
    return [
        Warning(
            f"Front-end libraries are missing ({', '.join(missing)}): maps and charts "
            f"will not draw; tables still work.",
            hint=(
                f"Run `npm ci` in the project folder (or set OXYFLOW_ASSETS_DIR to a "
                f"node_modules folder holding them); looked in {settings.ASSETS_DIR}."
            ),
            id="oxyflow.W010",
        )
    ]
