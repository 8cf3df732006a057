"""Refuse requests the views must never see: a NUL character anywhere, or (API) a query
parameter given twice.

PostgreSQL cannot store or compare text containing NUL (SQLite can), so a NUL in a path
or a query parameter would otherwise reach the database and fail there with a server
error. Answer 400 before any view runs, in the API's error shape under /api/.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        places = {
            "path": "\x00" in request.path,
            "query": any("\x00" in k or "\x00" in v for k, v in request.GET.items()),
            "cookie": any("\x00" in v for v in request.COOKIES.values()),
            "header": any("\x00" in v for v in request.headers.values()),
        }
        where = next((place for place, found in places.items() if found), None)
        if where is not None:
            message = f"The request's {where} contains a NUL character, which is not allowed."
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": [{"loc": [where], "msg": message, "type": "nul_character"}]},
                    status=400,
                )
            return HttpResponseBadRequest(message)
        if request.path.startswith("/api/"):
            # Every API query parameter takes one value; given twice, which one counts
            # would be a guess (Django keeps the last), so say so instead.
            repeated = sorted(k for k, values in request.GET.lists() if len(values) > 1)
            if repeated:
                return JsonResponse(
                    {
                        "detail": [
                            {
                                "loc": ["query", name],
                                "msg": f"The query parameter “{name}” is given more than once;"
                                " give it once.",
                                "type": "repeated_parameter",
                            }
                            for name in repeated
                        ]
                    },
                    status=422,
                )
        return self.get_response(request)
