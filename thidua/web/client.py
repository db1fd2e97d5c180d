"""The address a request came from, for the few decisions that count per client.

On a laptop at the venue (`make run LAN=1`) every phone reaches gunicorn directly, and REMOTE_ADDR is
the phone's. Behind nginx (docs/deployment.md) REMOTE_ADDR is nginx's own, the same for everyone; nginx
appends the address it saw to X-Forwarded-For (`proxy_add_x_forwarded_for`), so the last entry is the
client's. Earlier entries are whatever the client wrote and are never read. The header is read only when
`settings.CLIENT_FROM_FORWARDED_FOR` says a proxy sets it (THIDUA_HTTPS=1 by default), as gunicorn then
listens on 127.0.0.1 only: nobody else can send it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    if settings.CLIENT_FROM_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return str(request.META.get("REMOTE_ADDR", ""))
