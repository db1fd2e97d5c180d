"""The audit trail in Vietnamese: every verb the code records has a name, and data read as words."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from thidua.audit.labels import VERB_LABELS, details, value_text, verb_label

CODE = Path(__file__).resolve().parents[2]  # the thidua package


def _strings(expression: ast.expr | None) -> set[str]:
    """The non-empty string constants of an expression: `"a.create" if new else "a.update"` gives both."""
    if expression is None:
        return set()
    return {
        node.value
        for node in ast.walk(expression)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value
    }


def _recorded_verbs() -> set[str]:
    """Every string the code passes as `verb=` (to `record` and to the helpers that call it for their
    caller), or gives a `verb` parameter as its default: the tests' own events left out."""
    verbs: set[str] = set()
    for path in CODE.rglob("*.py"):
        if "tests" in path.relative_to(CODE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "verb":
                        verbs |= _strings(keyword.value)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = node.args
                positional = arguments.posonlyargs + arguments.args
                defaults: list[tuple[ast.arg, ast.expr | None]] = list(
                    zip(
                        positional[len(positional) - len(arguments.defaults) :],
                        arguments.defaults,
                        strict=True,
                    )
                )
                defaults += list(zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True))
                for argument, default in defaults:
                    if argument.arg == "verb":
                        verbs |= _strings(default)
    return verbs


def test_every_verb_the_code_records_has_a_vietnamese_name() -> None:
    verbs = _recorded_verbs()
    assert {"assessment.start", "poll.count", "poll.create", "news.draft_from_conference"} <= verbs
    assert sorted(verbs - set(VERB_LABELS)) == []


def test_no_name_is_kept_for_a_verb_the_code_no_longer_records() -> None:
    assert sorted(set(VERB_LABELS) - _recorded_verbs()) == []


def test_a_verb_is_shown_by_its_vietnamese_name() -> None:
    assert verb_label("assessment.start") == "Bắt đầu tự chấm"
    assert verb_label("dossier.council_vote") == "Ghi kết quả bỏ phiếu của Hội đồng"


@pytest.mark.parametrize(
    ("value", "key", "text"),
    [
        (True, "board", "có"),
        (False, "votes", "không"),
        (None, "organization", "—"),
        ("", "role", "—"),
        ([], "left_out", "—"),
        (7, "participants", "7"),
        ("2023-12-28", "date", "28/12/2023"),
        ("2023-12-08T08:00:00+07:00", "starts_at", "08/12/2023 08:00"),
        ("2023-12-08T01:00:00+00:00", "starts_at", "08/12/2023 08:00"),
        ("92.50", "self_total", "92,50"),
        ("1.1", "criterion", "1.1"),
        ([None, "2.50"], "final", "— → 2,50"),
        (["01/BB-CTĐ4", "02/BB-CTĐ4"], "documents", "01/BB-CTĐ4; 02/BB-CTĐ4"),
        ([["lhh-ninh-binh", "parent_flag"]], "awards", "lhh-ninh-binh, Cờ thi đua của cơ quan cấp trên"),
        ("self_scoring", "from", "Tự chấm điểm"),
        ("head", "role", "Cụm trưởng"),
        ({"value": None, "note": ""}, "given_up", "Giá trị: —; Thuyết minh: —"),
        ({"title": [None, "Quy chế"]}, "changes", "Tiêu đề: — → Quy chế"),
    ],
)
def test_a_stored_value_reads_as_words_never_as_python(value: Any, key: str, text: str) -> None:
    assert value_text(value, key) == text


def test_an_events_details_are_labelled_in_the_order_recorded() -> None:
    data = {"role": "", "board": True, "votes": True, "organization": "lhh-nghe-an"}
    assert details("delegate.add", data) == [
        ("Vai trò", "—"),
        ("Ban kiểm phiếu", "có"),
        ("Có quyền biểu quyết", "có"),
        ("Đơn vị", "lhh-nghe-an"),
    ]


def test_a_key_without_a_name_falls_back_to_itself() -> None:
    assert details("poll.create", {"something_new": False}) == [("something_new", "không")]
