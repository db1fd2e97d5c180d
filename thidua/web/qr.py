"""QR codes as inline SVG: delegates' voting cards, and the secret of an authenticator app being set up."""

from __future__ import annotations

import io

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str) -> SafeString:
    buffer = io.BytesIO()
    # Medium error correction survives a crease in a printed card; no XML declaration inside HTML.
    segno.make(data, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, nl=False
    )
    return mark_safe(buffer.getvalue().decode())  # noqa: S308 — segno's own SVG of our own URL  # nosec B308 B703
