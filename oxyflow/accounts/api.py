"""Who am I: the caller's role and scope."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from oxyflow.accounts.scopes import scope_for
from oxyflow.api import ErrorOut

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    role: str | None
    region: str | None
    organisation_id: int | None
    facility_ids: list[int]
    superuser: bool


@router.get(
    "/me",
    response={200: MeOut, 401: ErrorOut, 422: ErrorOut},
    summary="The authenticated user and their scope",
)
def me(request: HttpRequest) -> MeOut:
    scope = scope_for(request.user)
    return MeOut(
        username=request.user.get_username(),
        role=scope.role.value if scope.role else None,
        region=scope.region_path.rstrip("/").rsplit("/", 1)[-1] if scope.region_path else None,
        organisation_id=scope.organisation_id,
        facility_ids=sorted(scope.facility_ids),
        superuser=scope.superuser,
    )
