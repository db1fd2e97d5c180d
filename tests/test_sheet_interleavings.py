"""Random interleavings of two sessions' loads and saves on one score sheet never drop a value either
session saved without that session being told (issue 13, "Done when": the property test).

Two sessions of Ninh Bình's officer work on the 2026 sheet through the views, as two browsers would. A
load draws the sheet and keeps what its form carries (each row's value, version and digest as shown).
A save posts that form with a few rows changed to new values within their maximum; rows a refused save
drew with «Giữ giá trị đang lưu» / «Ghi đè» get one of the two. The model remembers, per row, the value
of the last save acknowledged as written, and each session the values its page showed or named. After
every step:

- each row the save changed was either written or drawn back refused, with a message on that row
  naming the value stored now, by whom and when; no other row was refused;
- a row written replaced the value its session had seen: no save overwrote what it never showed;
- the stored values are the model's: nothing acknowledged was lost, nothing refused was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from thidua.assessments.tests.test_versioned_saves import form_of
from thidua.lib.decimals import format_vietnamese_decimal, parse_vietnamese_decimal

SHEET = "/nam-thi-dua/vusta-cum-4/2026/cham-diem/lhh-ninh-binh/"
# Fixed criteria: the value typed is the points, from 0 to the maximum (in half points here).
ROWS = ("1.2", "2.1", "2.2", "3.2")
OFFICER = "Cán bộ thi đua Ninh Bình (demo)"
KEEP, OVERWRITE = "keep", "overwrite"


@dataclass(frozen=True)
class Row:
    code: str
    pk: int
    choices: tuple[Decimal, ...]  # every value within the maximum, in half points
    stored: tuple[Any, ...]  # the demo's row: put back before each example


@dataclass
class Tab:
    client: Client
    form: dict[str, str] = field(default_factory=dict)  # what the page it shows posts
    # The value of each row as its page last showed it stored, or named it stored in a refusal.
    seen: dict[str, Decimal | None] = field(default_factory=dict)

    def show(self, page: str, stored: dict[str, Decimal | None]) -> None:
        self.form, self.seen = form_of(page), dict(stored)

    def load(self, stored: dict[str, Decimal | None]) -> None:
        response = self.client.get(SHEET)
        assert response.status_code == 200
        self.show(response.content.decode(), stored)


STORED_FIELDS = ("self_value", "self_points", "note", "version", "changed_by", "changed_at")


@pytest.fixture
def sheet_rows(db: Any) -> dict[str, Row]:
    from thidua.assessments.models import Score

    rows = {}
    for score in Score.objects.select_related("criterion").filter(
        assessment__emulation_year__group__slug="vusta-cum-4",
        assessment__emulation_year__year=2026,
        assessment__organization__code="lhh-ninh-binh",
        criterion__code__in=ROWS,
    ):
        assert score.criterion.kind == "fixed" and score.self_value is not None
        steps = int(score.criterion.max_points * 2)
        choices = tuple(Decimal(step) / 2 for step in range(steps + 1))
        stored = tuple(getattr(score, name) for name in STORED_FIELDS)
        rows[score.criterion.code] = Row(score.criterion.code, score.pk, choices, stored)
    assert sorted(rows) == sorted(ROWS)
    return rows


def _stored(rows: dict[str, Row]) -> dict[str, Decimal | None]:
    from thidua.assessments.models import Score

    values = dict(Score.objects.filter(pk__in=[r.pk for r in rows.values()]).values_list("pk", "self_value"))
    return {row.code: values[row.pk] for row in rows.values()}


def _restore(rows: dict[str, Row]) -> None:
    from thidua.assessments.models import Score

    for row in rows.values():
        Score.objects.filter(pk=row.pk).update(**dict(zip(STORED_FIELDS, row.stored, strict=True)))


def _shown(tab: Tab, row: Row) -> Decimal:
    return parse_vietnamese_decimal(tab.form[f"value-{row.pk}"])


# Which session acts, and how: saves twice as often as loads, so that stale forms meet often.
plans = st.lists(
    st.tuples(st.sampled_from((0, 1)), st.sampled_from(("load", "save", "save"))), min_size=2, max_size=10
)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    database=None,  # nothing written beside the code; a failing example is printed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans, data=st.data())
def test_two_sessions_interleaving_loads_and_saves_never_lose_a_value_silently(
    plan: list[tuple[int, str]], data: st.DataObject, sheet_rows: dict[str, Row], officer_ninh_binh: Any
) -> None:
    _restore(sheet_rows)
    tabs = []
    for _ in range(2):
        client = Client()
        client.force_login(officer_ninh_binh)
        tabs.append(Tab(client))
    model = _stored(sheet_rows)  # the last value acknowledged as written, per row
    for tab in tabs:
        tab.load(model)

    for index, action in plan:
        tab = tabs[index]
        if action == "load":
            tab.load(model)
        else:
            _save(tab, sheet_rows, model, data)
        assert _stored(sheet_rows) == model, (plan, model)


def _save(tab: Tab, rows: dict[str, Row], model: dict[str, Decimal | None], data: st.DataObject) -> None:
    """Post the tab's form with some rows changed; check each changed row was written or refused on the
    page, and bring the model up to date with what the session was told."""
    form = dict(tab.form)
    posted: dict[str, Decimal] = {}  # the rows this save asks to write, with their value
    # A row a refused save drew back offers keep or overwrite: the session picks one.
    for row in rows.values():
        if f"resolve-{row.pk}" in form:
            form[f"resolve-{row.pk}"] = data.draw(st.sampled_from((KEEP, OVERWRITE)), label=f"{row.code}")
            event(f"a refused row resolved: {form[f'resolve-{row.pk}']}")  # --hypothesis-show-statistics
            if form[f"resolve-{row.pk}"] == OVERWRITE:
                posted[row.code] = _shown(tab, row)
    changed = data.draw(st.permutations(ROWS), label="rows")[: data.draw(st.integers(1, 3), label="how many")]
    for code in changed:
        row = rows[code]
        if form.get(f"resolve-{row.pk}") == KEEP:
            continue  # kept the stored value: nothing typed over it
        value = data.draw(st.sampled_from([v for v in row.choices if v != _shown(tab, row)]), label=code)
        form[f"value-{row.pk}"] = format_vietnamese_decimal(value)
        posted[code] = value

    response = tab.client.post(SHEET, {**form, "action": "save"}, follow=True)
    assert response.status_code == 200
    page = unescape(response.content.decode())
    said = _said(page)
    refused = {row.code for row in rows.values() if f'name="resolve-{row.pk}"' in page}
    assert refused <= set(posted), (refused, posted, said)  # only a row this save changed is refused
    if refused:
        event("a save refused a row")
        assert any("dòng chưa lưu vì đã có người sửa sau khi bạn mở trang" in m for m in said), said
    else:
        assert "Đã lưu bảng tự chấm." in said, said
    for code, value in posted.items():
        if code in refused:  # told, on the row, what is stored now and by whom
            now = model[code]
            assert now is not None  # the rows are scored, and a save never empties one here
            stored = re.escape(format_vietnamese_decimal(now))
            assert any(
                re.fullmatch(
                    rf"Tiêu chí {re.escape(code)} đã được sửa bởi {re.escape(OFFICER)} lúc [^;]+; chưa lưu "
                    rf"thay đổi của bạn\. Giá trị đang lưu: {stored}(?: — «[^»]*»)?\.",
                    m,
                )
                for m in said
            ), (code, model, said)
        else:  # acknowledged as written: over the value this session had seen, or over the same value
            assert value == model[code] or tab.seen[code] == model[code], (code, value, tab.seen, model)
            model[code] = value
    # What the session sees now: the sheet redrawn, or the refused page (every row drawn as stored but
    # the refused ones, which name what is stored).
    tab.show(response.content.decode(), model)


def _said(page: str) -> list[str]:
    """The page's messages and the errors shown on its rows."""
    listed = re.search(r'<ul class="messages">(.*?)</ul>', page, re.S)
    messages = re.findall(r"<li[^>]*>(.*?)</li>", listed.group(1), re.S) if listed else []
    return messages + re.findall(r'<p class="error" role="alert">(.*?)</p>', page, re.S)
