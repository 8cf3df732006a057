"""``Idempotency-Key`` for API POSTs: a retry returns the first answer, never a duplicate.

A claim row is written *before* the view runs, in its own transaction, so two
concurrent requests with one key cannot both create: the second finds the claim and is
told the first is still in progress (409) or, once it has finished, gets its answer.
Server errors release the claim so the client may retry.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from oxyflow.accounts.models import ApiToken, IdempotentRequest

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
PENDING = 0


def _error(status: int, msg: str, type_: str, value: str | None = None) -> JsonResponse:
    item: dict[str, object] = {"loc": ["header", HEADER], "msg": msg, "type": type_}
    if value is not None:
        item["input"] = value
    return JsonResponse({"detail": [item]}, status=status)


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return int(user.pk)
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        token = ApiToken.authenticate(auth[7:].strip())
        if token is not None:
            return int(token.user_id)
    return None


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not key.strip() or len(key) > MAX_KEY_LENGTH or "\x00" in key:
            return _error(
                422,
                f"Idempotency-Key must be 1–{MAX_KEY_LENGTH} characters.",
                "invalid_key",
                key[:MAX_KEY_LENGTH],
            )
        user_id = _user_id(request)
        if user_id is None:
            # Unauthenticated: let the API answer 401 in its usual shape.
            return self.get_response(request)
        digest = hashlib.sha256(
            request.method.encode() + request.path.encode() + request.body
        ).hexdigest()
        cutoff = timezone.now() - timedelta(hours=settings.OXYFLOW_IDEMPOTENCY_TTL_HOURS)
        IdempotentRequest.objects.filter(user_id=user_id, key=key, created_at__lt=cutoff).delete()
        try:
            with transaction.atomic():
                claim = IdempotentRequest.objects.create(
                    user_id=user_id,
                    key=key,
                    method=request.method,
                    # The digest covers the whole path; the stored copy is for operators.
                    path=request.path[:500],
                    request_digest=digest,
                    status_code=PENDING,
                    response_body="",
                )
        except IntegrityError:
            return self._replay(user_id, key, digest)

        response = self.get_response(request)
        if response.status_code >= 500:
            claim.delete()
            return response
        claim.status_code = response.status_code
        claim.response_body = response.content.decode()
        claim.save(update_fields=["status_code", "response_body"])
        return response

    @staticmethod
    def _replay(user_id: int, key: str, digest: str) -> HttpResponse:
        previous = IdempotentRequest.objects.filter(user_id=user_id, key=key).first()
        if previous is None:  # released by a server error between the two queries
            return _error(409, "A request with this key just failed; retry it.", "retry")
        if previous.request_digest != digest:
            return _error(
                422,
                "This Idempotency-Key was already used for a different request; use a new key.",
                "key_reused",
                key,
            )
        if previous.status_code == PENDING:
            return _error(409, "A request with this key is still being processed.", "in_progress")
        response = HttpResponse(
            previous.response_body, status=previous.status_code, content_type="application/json"
        )
        response["Idempotent-Replayed"] = "true"
        try:
            json.loads(previous.response_body or "null")
        except ValueError:
            response["Content-Type"] = "text/plain"
        return response
