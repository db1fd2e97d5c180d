"""Official text cites the legal source of a rule, never the note staff keep beside it (issue 15)."""

from __future__ import annotations

import pytest

from thidua.lib.citations import has_mark, official_source

REGULATION = "Quy chế thi đua của Liên hiệp Hội Việt Nam (QĐ 1039/QĐ-LHHVN)"


@pytest.mark.parametrize(
    ("source", "cited"),
    [
        (
            "Luật Thi đua, khen thưởng 06/2022/QH15, Điều 26: Cờ thi đua tặng đơn vị dẫn đầu cụm, khối [H]",
            "Luật Thi đua, khen thưởng 06/2022/QH15, Điều 26: Cờ thi đua tặng đơn vị dẫn đầu cụm, khối",
        ),
        ("Thông lệ [L] — Liên hiệp Hội Việt Nam chưa công bố chi tiết; mặc định, sửa được", REGULATION),
        ("NĐ 152/2025/NĐ-CP: ≥ 80% tổng số thành viên [M]", REGULATION),
        ("Ưu tiên tập thể có từ 70% nữ: NĐ 152/2025 [H]; thứ tự các bước còn lại: thông lệ [L]", REGULATION),
        ("Mặc định của thidua, chưa đối chiếu văn bản", REGULATION),
        ("", REGULATION),
    ],
)
def test_a_primary_source_is_cited_without_its_mark_and_any_other_gives_way_to_the_regulation(
    source: str, cited: str
) -> None:
    assert official_source(source, REGULATION) == cited
    assert not has_mark(official_source(source, REGULATION))


def test_marks_are_found_wherever_they_stand() -> None:
    assert has_mark("ngưỡng [L]") and has_mark("[H] Luật") and has_mark("a[M]b")
    assert not has_mark("Điều 26 [khoản 2]") and not has_mark("")
