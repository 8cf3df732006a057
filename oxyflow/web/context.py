from __future__ import annotations

from django.http import HttpRequest

from oxyflow.accounts.scopes import Role, scope_for


def role(request: HttpRequest) -> dict[str, object]:
    scope = scope_for(getattr(request, "user", None))
    return {
        "scope": scope,
        "can_manage_users": scope.superuser or scope.role in (Role.MINISTRY, Role.COORDINATOR),
    }
