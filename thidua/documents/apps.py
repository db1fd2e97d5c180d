from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


def trust_roots_readable(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """A configured SIGNATURE_TRUST_ROOTS that cannot be read refuses every signed original uploaded;
    said at start-up rather than at the first upload. A warning, not an error: it must not stop a
    deployment's migrations."""
    from thidua.documents import signatures

    try:
        signatures.load_trust_roots(signatures.trust_roots_path())
    except signatures.RootsUnavailable as problem:
        return [
            checks.Warning(
                f"SIGNATURE_TRUST_ROOTS cannot be read: {problem}",
                hint="Point THIDUA_SIGNATURE_TRUST_ROOTS at a PEM bundle, a DER certificate or a "
                "directory of them (.pem, .crt, .cer, .der), or leave it empty.",
                id="documents.W001",
            )
        ]
    return []


class DocumentsConfig(AppConfig):
    name = "thidua.documents"
    verbose_name = "Văn bản"

    def ready(self) -> None:
        from thidua.documents.todo import issuing_todos
        from thidua.years.todos import register

        register(issuing_todos)
        checks.register(trust_roots_readable)
