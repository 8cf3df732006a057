"""POST a JSON event to a configured webhook, never raising: the one HTTP client of
report reminders and alert notifications."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from typing import Any


def post_json(url: str, payload: dict[str, Any], *, timeout: float) -> tuple[str, bool]:
    """POST ``payload``; return (outcome, ok).

    ``outcome`` is the HTTP status code when the hook answered 2xx, else
    ``"error: …"`` (an HTTP error status, a network failure, a bad URL).
    """
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "OxyFlow"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return str(response.status), True
    except urllib.error.HTTPError as exc:
        return f"error: HTTP {exc.code}", False
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return f"error: {type(exc).__name__}: {reason}", False
