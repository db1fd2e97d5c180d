"""Responses whose length says nothing: the delegate's phone pages are padded to a multiple of BUCKET.

An access log line carries each response's size (gunicorn's `%(b)s`, nginx's `$body_bytes_sent`), and so
does every packet on the venue's Wi-Fi, TLS or not: a confirmation page naming "Huế" is longer than one
naming "Phiếu trắng". Dropping the size from one log format would leave every other log and the
network telling it, so the body itself is padded instead: every answer of the voting pages is a whole
number of buckets long, and a page that names a choice is padded as if it named every choice at once
(`at_least`), so its length is the same whatever was chosen.

The padding is spaces after the document, which browsers ignore. A proxy that compresses these pages
would make the lengths differ again: docs/deployment.md turns compression off for them.
"""

from __future__ import annotations

from django.http import HttpResponse

BUCKET = 16 * 1024


def padded_length(length: int) -> int:
    return max(1, -(-length // BUCKET)) * BUCKET


def pad(response: HttpResponse, *, at_least: int = 0) -> HttpResponse:
    body = response.content
    response.content = body + b" " * (padded_length(max(len(body), at_least)) - len(body))
    return response
