"""The address each news site is really served at.

Wagtail builds a site's address from its Site row: "http://localhost" for thidua's own site while
`make run` serves it on :8000, "http://ninhbinh.localhost" for a union's. Links between sites, the
sitemap, the canonical link and og:url use the address a reader can open instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port
from wagtail.models import Site

DEFAULT_PORTS = {"http": "80", "https": "443"}


def served_root_url(site_id: int, root_url: str, request: HttpRequest | None) -> str:
    """The served address of a site, for Wagtail's `root_url` of it.

    With a request: the request's own site (the one its Host names, or the default site it falls back
    to) is the request's scheme and host, port included; another site is its hostname with the
    request's scheme and port, as one thidua server (`make run`, or nginx in production) serves every
    site. Without one (tasks, e-mails): the scheme and port of THIDUA_PUBLIC_URL, when it is set."""
    hostname = urlsplit(root_url).hostname or ""
    if request is not None:
        scheme = request.scheme or "http"
        site = Site.find_for_request(request)
        if site is not None and site.pk == site_id:
            return f"{scheme}://{request.get_host()}"
        _, port = split_domain_port(request.get_host())
        return _root(scheme, hostname, port)
    if settings.PUBLIC_URL:
        if Site.objects.filter(pk=site_id, is_default_site=True).exists():
            return str(settings.PUBLIC_URL)
        public = urlsplit(settings.PUBLIC_URL)
        return _root(public.scheme, hostname, str(public.port or ""))
    return root_url


def _root(scheme: str, hostname: str, port: str) -> str:
    shown_port = f":{port}" if port and port != DEFAULT_PORTS.get(scheme) else ""
    return f"{scheme}://{hostname}{shown_port}"
