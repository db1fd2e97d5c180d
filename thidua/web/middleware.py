"""Every text a user sends arrives in Unicode NFC (DESIGN.md, Decisions).

Vietnamese typed with some keyboards and phones arrives decomposed ("i" + combining grave), which
looks the same on screen but compares and searches differently. Normalizing at the door means no
form, import or filter can forget it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict


def _normalized(query: QueryDict) -> QueryDict:
    if all(unicodedata.is_normalized("NFC", v) for values in query.lists() for v in values[1]):
        return query
    fresh = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        fresh.setlist(unicodedata.normalize("NFC", key), [unicodedata.normalize("NFC", v) for v in values])
    fresh._mutable = False
    return fresh


class NormalizeInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = _normalized(request.GET)  # type: ignore[assignment]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.POST = _normalized(request.POST)  # type: ignore[assignment]
        return self.get_response(request)
