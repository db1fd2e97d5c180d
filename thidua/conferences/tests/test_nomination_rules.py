"""Who a nomination may offer (thidua/conferences/rules.py, nomination_eligibility): table-driven."""

from __future__ import annotations

import pytest

from thidua.conferences.rules import Nominee, NomineeVerdict, nomination_eligibility

VUSTA_BANDS = [
    "Hoàn thành xuất sắc nhiệm vụ",
    "Hoàn thành tốt nhiệm vụ",
    "Hoàn thành nhiệm vụ",
    "Không hoàn thành nhiệm vụ",
]
LOWEST = "xếp loại «Không hoàn thành nhiệm vụ», mức thấp nhất của quy chế"


@pytest.mark.parametrize(
    ("settled", "band", "bands", "reason"),
    [
        (True, "Hoàn thành xuất sắc nhiệm vụ", VUSTA_BANDS, ""),
        (True, "Hoàn thành tốt nhiệm vụ", VUSTA_BANDS, ""),
        (True, "Hoàn thành nhiệm vụ", VUSTA_BANDS, ""),
        (True, "Không hoàn thành nhiệm vụ", VUSTA_BANDS, LOWEST),
        (True, None, VUSTA_BANDS, "điểm chốt không đạt mức xếp loại nào của quy chế"),
        (False, None, VUSTA_BANDS, "chưa chốt điểm cuối cùng"),
        (False, "Hoàn thành xuất sắc nhiệm vụ", VUSTA_BANDS, "chưa chốt điểm cuối cùng"),
        # Without bands, every settled member may be nominated.
        (True, None, [], ""),
        (False, None, [], "chưa chốt điểm cuối cùng"),
        # A single band is no rating to fall short of.
        (True, "Hoàn thành nhiệm vụ", ["Hoàn thành nhiệm vụ"], ""),
        # Two bands: the lower one is left out.
        (True, "Đạt", ["Xuất sắc", "Đạt"], "xếp loại «Đạt», mức thấp nhất của quy chế"),
        (True, "Xuất sắc", ["Xuất sắc", "Đạt"], ""),
    ],
)
def test_a_member_is_offered_unless_unsettled_unrated_or_in_the_lowest_band(
    settled: bool, band: str | None, bands: list[str], reason: str
) -> None:
    (verdict,) = nomination_eligibility([Nominee("a", "Đơn vị A", settled, band)], bands)
    assert verdict == NomineeVerdict("a", "Đơn vị A", not reason, reason)


def test_verdicts_keep_the_ranking_order() -> None:
    nominees = [
        Nominee("b", "B", True, "Hoàn thành tốt nhiệm vụ"),
        Nominee("c", "C", True, "Không hoàn thành nhiệm vụ"),
        Nominee("a", "A", False, None),
    ]
    verdicts = nomination_eligibility(nominees, VUSTA_BANDS)
    assert [(v.key, v.eligible) for v in verdicts] == [("b", True), ("c", False), ("a", False)]


def test_no_member_gives_no_verdict() -> None:
    assert nomination_eligibility([], VUSTA_BANDS) == []
