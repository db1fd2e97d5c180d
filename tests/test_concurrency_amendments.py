"""Two amendments at once give one, and the second gets a clear refusal (issue 13, part 3): "Sửa đổi"
sent twice at once answered one success and one 500 (the version number's unique constraint).

SQLite serializes writers with its own lock, so this runs on PostgreSQL only.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client

from tests.test_concurrency import _at_once, committed_year_demo  # noqa: F401 — the fixture

pytestmark = pytest.mark.usefixtures("committed_year_demo")

AGREEMENT = "/nam-thi-dua/vusta-cum-4/2026/giao-uoc/"


def test_sua_doi_sent_twice_at_once_makes_one_amendment_and_tells_the_second_which() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers with its own lock; the row lock matters on PostgreSQL")
    from thidua.accounts.models import User
    from thidua.agreements.models import Agreement, AgreementStatus
    from thidua.audit.models import AuditEvent

    user = User.objects.get(username="quangtri")
    clients = []
    for _ in range(2):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)

    def send(index: int) -> tuple[int, list[str]]:
        response = clients[index].post(f"{AGREEMENT}sua-doi/", {"reason": "Hạ điểm tối đa tiêu chí 1.2"})
        return response.status_code, [str(m) for m in get_messages(response.wsgi_request)]

    results, failures = _at_once(2, send)
    assert not failures, failures
    assert sorted(status for status, _ in results) == [302, 302]  # type: ignore[misc]
    said = sorted(" ".join(words) for _, words in results)  # type: ignore[misc]
    assert said[0].startswith("Đã có bản sửa đổi lần 1 đang dự thảo, lập lúc "), said
    assert said[1].startswith("Đã lập dự thảo sửa đổi"), said
    drafts = Agreement.objects.filter(emulation_year__year=2026, status=AgreementStatus.DRAFT)
    assert drafts.count() == 1
    assert AuditEvent.objects.filter(verb="agreement.amend").count() == 1
