"""Settings refuse bad environment values; system checks catch unsafe production setups."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core import checks
from django.test import override_settings

from oxyflow.conf import ConfigError, env_bool, env_choice, env_int, env_list, env_time_zone


def test_env_bool_accepts_the_usual_spellings() -> None:
    assert env_bool("X", False, {"X": "Yes"}) is True
    assert env_bool("X", True, {"X": "0"}) is False
    assert env_bool("X", True, {}) is True


def test_env_bool_rejects_anything_else_naming_variable_and_value() -> None:
    with pytest.raises(ConfigError, match=r"DEBUG='maybe' is not valid: expected one of 1/0"):
        env_bool("DEBUG", False, {"DEBUG": "maybe"})


def test_env_int_enforces_its_bounds() -> None:
    assert env_int("P", 5, minimum=1, environ={"P": "12"}) == 12
    with pytest.raises(ConfigError, match="between 1 and 65535"):
        env_int("EMAIL_PORT", 25, minimum=1, maximum=65535, environ={"EMAIL_PORT": "70000"})
    with pytest.raises(ConfigError, match="'ten'"):
        env_int("P", 5, environ={"P": "ten"})


def test_env_list_splits_on_commas_and_drops_blanks() -> None:
    assert env_list("H", [], {"H": "a.example, b.example,,"}) == ["a.example", "b.example"]


def test_env_time_zone_requires_an_iana_name() -> None:
    assert env_time_zone("TIME_ZONE", "UTC", {"TIME_ZONE": "Africa/Algiers"}) == "Africa/Algiers"
    with pytest.raises(ConfigError, match="IANA time zone"):
        env_time_zone("TIME_ZONE", "UTC", {"TIME_ZONE": "Mars/Olympus"})


def test_env_choice_lists_what_is_allowed() -> None:
    with pytest.raises(ConfigError, match="one of en, fr, ar, vi"):
        env_choice(
            "OXYFLOW_DEFAULT_LANGUAGE",
            "en",
            ("en", "fr", "ar", "vi"),
            {"OXYFLOW_DEFAULT_LANGUAGE": "de"},
        )


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-m", "oxyflow.cli", *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=120,
    )


def test_a_bad_database_url_stops_the_command_with_a_clear_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(
        "check", DATABASE_URL="mysql://root@localhost/x", OXYFLOW_DATA_DIR=str(tmp_path)
    )
    assert result.returncode == 2
    assert "DATABASE_URL='mysql://root@localhost/x' is not valid" in result.stderr


def test_oxyflow_help_explains_the_main_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("demo", "serve", "registry", "--reset", "--no-serve", "--port", "migrate"):
        assert word in result.stdout


def test_oxyflow_demo_help_explains_every_option(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("demo", "--help", OXYFLOW_DATA_DIR=str(tmp_path))
    assert result.returncode == 0
    for option in ("--port", "--host", "--reset", "--no-serve"):
        line = next(line for line in result.stdout.splitlines() if line.strip().startswith(option))
        assert len(line.split()) > 2 or option in result.stdout  # the option has help text
    assert "Load the demo and exit without serving" in result.stdout


def ids(messages: list[checks.CheckMessage]) -> set[str]:
    return {m.id for m in messages if m.id and m.id.startswith("oxyflow.")}


@pytest.fixture
def on_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("oxyflow.checks._uses_postgres", lambda: True)


def test_the_built_in_key_with_postgres_warns_at_every_start(on_postgres: None) -> None:
    from oxyflow.settings import INSECURE_DEV_SECRET_KEY

    with override_settings(SECRET_KEY=INSECURE_DEV_SECRET_KEY):
        assert "oxyflow.W001" in ids(checks.run_checks())


def test_the_built_in_key_is_a_deployment_error() -> None:
    from oxyflow.checks import check_secret_key
    from oxyflow.settings import INSECURE_DEV_SECRET_KEY

    with override_settings(SECRET_KEY=INSECURE_DEV_SECRET_KEY):
        assert ids(check_secret_key(None)) == {"oxyflow.E001"}
    with override_settings(SECRET_KEY="short"):
        assert ids(check_secret_key(None)) == {"oxyflow.E002"}


def test_debug_wildcard_hosts_plain_http_and_sqlite_are_flagged_for_deployment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from oxyflow.checks import check_debug_and_hosts

    monkeypatch.setattr("oxyflow.checks._uses_postgres", lambda: False)
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=True, SESSION_COOKIE_SECURE=False):
        found = ids(check_debug_and_hosts(None))
    assert found == {"oxyflow.E003", "oxyflow.E004", "oxyflow.W003", "oxyflow.W004"}


def test_a_safe_production_configuration_passes(on_postgres: None) -> None:
    from oxyflow.checks import check_debug_and_hosts, check_secret_key

    with override_settings(
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS=["oxyflow.example"],
        DEBUG=False,
        SESSION_COOKIE_SECURE=True,
    ):
        assert check_secret_key(None) == []
        assert check_debug_and_hosts(None) == []


def test_serve_refuses_to_start_with_the_built_in_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("serve", "--port", "8999", OXYFLOW_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "oxyflow.E001" in result.stderr
