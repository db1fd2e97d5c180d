"""The group's audit page («Nhật ký thay đổi») reads in Vietnamese, and costs the same at any size."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from thidua.audit.models import AuditEvent
from thidua.audit.services import record

PAGE = "/nhat-ky/cum-khoi/vusta-cum-4/"


def _cells(page: str, column: int) -> list[str]:
    """The text of one column of the events' table, tags removed."""
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>", 1)[1], flags=re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows]
    return [re.sub(r"<[^>]+>", " ", row[column]) for row in cells if len(row) > column]


@pytest.mark.django_db
def test_the_audit_page_names_each_action_and_its_details_in_vietnamese(
    client_for: Callable[[Any], Client], staff: Any, cluster4: Any
) -> None:
    with transaction.atomic():
        record(
            actor=staff,
            verb="delegate.add",
            target=cluster4,
            group=cluster4,
            data={
                "role": "",
                "board": True,
                "votes": False,
                "organization": "lhh-nghe-an",
                "on": "2023-12-08",
            },
        )
    page = client_for(staff).get(PAGE).content.decode()
    actions, details = _cells(page, 3), _cells(page, 5)
    assert actions[0].strip() == "Thêm đại biểu"
    assert not [a for a in actions if re.search(r"\b[a-z_]+\.[a-z_]+\b", a)]  # no internal verb
    first = " ".join(details[0].split())
    for shown in ("Vai trò: —", "Ban kiểm phiếu: có", "Có quyền biểu quyết: không", "Ngày: 08/12/2023"):
        assert shown in first
    for python in ("{'", "True", "False", "None", "[", "&#x27;"):
        assert not [d for d in details if python in d], python


@pytest.mark.django_db
def test_the_audit_page_costs_the_same_queries_for_a_few_rows_as_for_a_full_page(
    client_for: Callable[[Any], Client], staff: Any, cluster4: Any, cold_queries: Any
) -> None:
    client = client_for(staff)
    if AuditEvent.objects.filter(group=cluster4).count() % 50 == 0:
        with transaction.atomic():
            record(actor=staff, verb="group.update", target=cluster4, group=cluster4, data={})
    events = AuditEvent.objects.filter(group=cluster4).count()
    last = (events + 49) // 50
    with cold_queries() as full:
        assert client.get(PAGE).status_code == 200
    with cold_queries() as few:
        assert client.get(f"{PAGE}?trang={last}").status_code == 200
    assert events > 50  # the last page is shorter than the first
    assert len(full) == len(few)
