"""Nothing is locked without a confirmation: submitting a sheet, completing a cross-check and settling each
show what they lock first, and only the confirmation's own POST locks. A reviewer agrees per row or all
at once and types only where they disagree. On the demo's Cụm 4 2026 (self-scoring open)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from thidua.accounts.models import User
from thidua.assessments import services
from thidua.assessments.models import Assessment, AssessmentStatus, ReviewAssignment, ReviewKind, Score
from thidua.assessments.tests.confirming import confirmed
from thidua.audit.models import AuditEvent
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.organizations.models import Organization
from thidua.years.models import EmulationYear

Y = "/nam-thi-dua/vusta-cum-4/2026"
NGHE_AN_SHEET = f"{Y}/cham-diem/lhh-nghe-an/"
HUE_REVIEW = f"{Y}/cham-cheo/lhh-hue/"


def _year() -> EmulationYear:
    return EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026)


def _sheet(code: str) -> Assessment:
    return Assessment.objects.get(emulation_year__year=2026, organization__code=f"lhh-{code}")


def _scores(assessment: Assessment) -> list[Score]:
    return list(
        assessment.scores.select_related("criterion").order_by(
            "criterion__group__position", "criterion__position"
        )
    )


def _verbs(verb: str) -> int:
    return AuditEvent.objects.filter(verb=verb).count()


@pytest.fixture
def nghe_an_draft(db: Any) -> Assessment:
    """Nghệ An's complete 2026 sheet, reopened by the secretariat so it can be submitted again."""
    services.reopen(
        actor=User.objects.get(username="quangtri"), assessment=_sheet("nghe-an"), reason="Bổ sung minh chứng"
    )
    return _sheet("nghe-an")


@pytest.fixture
def hue_review(db: Any) -> ReviewAssignment:
    """Ninh Bình cross-checks Huế's submitted 2026 sheet; nothing is reviewed yet."""
    services.assign_reviewers(
        actor=User.objects.get(username="quangtri"),
        emulation_year=_year(),
        assignments=[
            services.ProposedAssignment(
                Organization.objects.get(code="lhh-hue"),
                Organization.objects.get(code="lhh-ninh-binh"),
                ReviewKind.PEER,
            )
        ],
    )
    return ReviewAssignment.objects.get(emulation_year=_year(), reviewed__code="lhh-hue")


# Submitting a sheet


@pytest.mark.django_db
def test_submitting_locks_nothing_until_the_confirmation_is_posted(
    client_for: Any, nghe_an_draft: Assessment
) -> None:
    client = client_for(User.objects.get(username="nghean"))
    submitted_before = _verbs("assessment.submit")
    first = client.post(f"{NGHE_AN_SHEET}nop/")
    page = first.content.decode()
    assert first.status_code == 200
    assert "Xác nhận nộp bản tự chấm năm 2026" in page
    total = services.sheet_totals(nghe_an_draft, _scores(nghe_an_draft)).total
    count = len(_scores(nghe_an_draft))
    assert f"Đã chấm {count}/{count} tiêu chí." in page
    assert f"Tổng tự chấm: {format_vietnamese_decimal(total)} điểm" in page
    assert ">Xác nhận nộp</button>" in page and ">Quay lại sửa</a>" in page
    assert _sheet("nghe-an").status == AssessmentStatus.DRAFT
    assert _verbs("assessment.submit") == submitted_before

    response = client.post(f"{NGHE_AN_SHEET}nop/", confirmed(first), follow=True)
    assert "Đã nộp bản tự chấm." in response.content.decode()
    assert _sheet("nghe-an").status == AssessmentStatus.SUBMITTED
    assert _verbs("assessment.submit") == submitted_before + 1


@pytest.mark.django_db
def test_the_sheets_submit_button_saves_what_was_typed_then_asks_to_confirm(
    client_for: Any, nghe_an_draft: Assessment
) -> None:
    score = next(s for s in _scores(nghe_an_draft) if s.criterion.code == "2.1")
    response = client_for(User.objects.get(username="nghean")).post(
        NGHE_AN_SHEET, {"action": "submit", f"value-{score.pk}": "3,5", f"note-{score.pk}": "Báo cáo số 7"}
    )
    assert response.status_code == 200
    assert "Xác nhận nộp bản tự chấm" in response.content.decode()
    score.refresh_from_db()
    assert (score.self_points, score.note) == (Decimal("3.5"), "Báo cáo số 7")
    assert _sheet("nghe-an").status == AssessmentStatus.DRAFT


@pytest.mark.django_db
def test_a_sheet_changed_after_its_confirmation_page_is_not_submitted(
    client_for: Any, nghe_an_draft: Assessment
) -> None:
    officer = User.objects.get(username="nghean")
    client = client_for(officer)
    first = client.post(f"{NGHE_AN_SHEET}nop/")
    score = _scores(nghe_an_draft)[0]
    services.save_self_score(actor=officer, score=score, value=Decimal(0), note="Sửa ở thẻ khác")
    response = client.post(f"{NGHE_AN_SHEET}nop/", confirmed(first), follow=True)
    assert "Dữ liệu đã thay đổi sau khi bạn mở trang xác nhận" in response.content.decode()
    assert _sheet("nghe-an").status == AssessmentStatus.DRAFT


@pytest.mark.django_db
def test_a_confirmation_post_without_its_fingerprint_locks_nothing(
    client_for: Any, nghe_an_draft: Assessment
) -> None:
    response = client_for(User.objects.get(username="nghean")).post(
        f"{NGHE_AN_SHEET}nop/", {"confirmed": "1"}, follow=True
    )
    assert "Dữ liệu đã thay đổi" in response.content.decode()
    assert _sheet("nghe-an").status == AssessmentStatus.DRAFT


@pytest.mark.django_db
def test_an_incomplete_sheet_is_told_what_is_missing_and_offered_no_confirmation(
    client_for: Any, officer_ninh_binh: User
) -> None:
    response = client_for(officer_ninh_binh).post(f"{Y}/cham-diem/lhh-ninh-binh/nop/")
    page = response.content.decode()
    assert "Chưa nộp được: còn thiếu" in page and "chưa chấm điểm." in page
    assert ">Xác nhận nộp</button>" not in page and 'name="confirmed"' not in page
    assert _sheet("ninh-binh").status == AssessmentStatus.DRAFT


@pytest.mark.django_db
def test_the_confirmation_names_scored_rows_without_evidence(
    client_for: Any, nghe_an_draft: Assessment
) -> None:
    optional = next(s for s in _scores(nghe_an_draft) if not s.criterion.evidence_required and s.self_points)
    optional.evidence.all().delete()
    page = client_for(User.objects.get(username="nghean")).post(f"{NGHE_AN_SHEET}nop/").content.decode()
    assert "chưa có minh chứng (không bắt buộc)" in page and optional.criterion.code in page


# Reviewing: agreeing per row or all at once


def _review_form(assessment: Assessment, **rows: dict[str, str]) -> dict[str, str]:
    """The review form as drawn with nothing reviewed: every box empty, no tick; `rows` by criterion code."""
    form = {"action": "save"}
    for score in _scores(assessment):
        form[f"reviewed-{score.pk}"] = ""
        form[f"reason-{score.pk}"] = ""
        for field, value in rows.get(score.criterion.code.replace(".", "_"), {}).items():
            form[f"{field}-{score.pk}"] = value
    return form


@pytest.mark.django_db
def test_agreeing_to_all_reviews_every_unreviewed_row_at_its_self_score_and_keeps_a_typed_disagreement(
    client_for: Any, hue_review: ReviewAssignment
) -> None:
    hue = _sheet("hue")
    disputed = next(s for s in _scores(hue) if s.criterion.code == "2.1")
    lower = (disputed.self_points or Decimal(1)) - 1
    form = _review_form(
        hue, **{"2_1": {"reviewed": str(lower).replace(".", ","), "reason": "Thiếu kế hoạch"}}
    )
    form["action"] = "agree_all"
    response = client_for(User.objects.get(username="ninhbinh")).post(HUE_REVIEW, form, follow=True)
    assert "Đã lưu điểm chấm chéo." in response.content.decode()
    for score in _scores(hue):
        expected = lower if score.pk == disputed.pk else score.self_points
        assert score.reviewed_points == expected, score.criterion.code
    disputed.refresh_from_db()
    assert disputed.review_reason == "Thiếu kế hoạch" and disputed.disagrees


@pytest.mark.django_db
def test_a_ticked_row_takes_its_self_score_and_an_empty_unticked_row_stays_unreviewed(
    client_for: Any, hue_review: ReviewAssignment
) -> None:
    hue = _sheet("hue")
    response = client_for(User.objects.get(username="ninhbinh")).post(
        HUE_REVIEW, _review_form(hue, **{"1_1": {"agree": "1"}})
    )
    assert response.status_code == 302
    reviewed = {s.criterion.code: s.reviewed_points for s in _scores(hue)}
    assert reviewed.pop("1.1") == next(s.self_points for s in _scores(hue) if s.criterion.code == "1.1")
    assert set(reviewed.values()) == {None}
    page = client_for(User.objects.get(username="ninhbinh")).get(HUE_REVIEW).content.decode()
    first = _scores(hue)[0]
    assert f'id="agree-{first.pk}" name="agree-{first.pk}" value="1" checked' in page


@pytest.mark.django_db
def test_a_disagreement_without_a_reason_saves_no_row_even_when_agreeing_to_all(
    client_for: Any, hue_review: ReviewAssignment
) -> None:
    hue = _sheet("hue")
    events = AuditEvent.objects.count()
    form = _review_form(hue, **{"2_1": {"reviewed": "0"}})
    form["action"] = "agree_all"
    response = client_for(User.objects.get(username="ninhbinh")).post(HUE_REVIEW, form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Chấm khác điểm tự chấm thì cần nêu lý do." in page
    assert {s.reviewed_points for s in _scores(hue)} == {None}
    assert AuditEvent.objects.count() == events
    assert 'value="0"' in page  # what was typed is kept


@pytest.mark.django_db
def test_a_tick_on_a_row_scored_differently_brings_it_back_to_the_self_score(
    client_for: Any, hue_review: ReviewAssignment
) -> None:
    reviewer = User.objects.get(username="ninhbinh")
    score = next(s for s in _scores(_sheet("hue")) if s.criterion.code == "2.1")
    services.save_review(actor=reviewer, score=score, reviewed_points=Decimal(0), reason="Thiếu")
    form = _review_form(_sheet("hue"), **{"2_1": {"reviewed": "0", "reason": "Thiếu", "agree": "1"}})
    assert client_for(reviewer).post(HUE_REVIEW, form).status_code == 302
    score.refresh_from_db()
    assert score.reviewed_points == score.self_points and not score.disagrees


@pytest.mark.django_db
def test_completing_a_review_saves_what_was_typed_and_locks_nothing_until_confirmed(
    client_for: Any, hue_review: ReviewAssignment
) -> None:
    client = client_for(User.objects.get(username="ninhbinh"))
    form = _review_form(_sheet("hue"))
    form["action"] = "agree_all"
    assert client.post(HUE_REVIEW, form).status_code == 302
    disputed = next(s for s in _scores(_sheet("hue")) if s.criterion.code == "2.1")
    form = {"action": "complete", f"reviewed-{disputed.pk}": "0", f"reason-{disputed.pk}": "Thiếu kế hoạch"}
    first = client.post(HUE_REVIEW, form)
    page = first.content.decode()
    assert "Xác nhận hoàn thành chấm chéo năm 2026" in page
    assert "Chấm khác điểm tự chấm: 1 tiêu chí (2.1)" in page
    disputed.refresh_from_db()
    assert disputed.reviewed_points == 0  # saved before asking
    assert ReviewAssignment.objects.get(pk=hue_review.pk).completed_at is None

    response = client.post(HUE_REVIEW, confirmed(first), follow=True)
    assert "Đã hoàn thành chấm chéo." in response.content.decode()
    assert ReviewAssignment.objects.get(pk=hue_review.pk).completed_at is not None
    again = client.post(HUE_REVIEW, confirmed(first), follow=True)
    page = again.content.decode()
    assert "Đã hoàn thành chấm chéo lúc " in page and "; không sửa được." in page


@pytest.mark.django_db
def test_a_review_with_unreviewed_rows_is_told_which_and_offered_no_confirmation(
    client_for: Any, hue_review: ReviewAssignment
) -> None:
    page = (
        client_for(User.objects.get(username="ninhbinh"))
        .post(HUE_REVIEW, {"action": "complete"})
        .content.decode()
    )
    assert "Chưa chấm các tiêu chí: 1.1" in page
    assert 'name="confirmed"' not in page
    assert ReviewAssignment.objects.get(pk=hue_review.pk).completed_at is None


# Settling


def _unsettled() -> int:
    return Score.objects.filter(assessment__emulation_year=_year(), final_points__isnull=True).count()


@pytest.mark.django_db
def test_settling_the_agreed_criteria_locks_nothing_until_the_confirmation_is_posted(client_for: Any) -> None:
    client = client_for(User.objects.get(username="quangtri"))
    before = _unsettled()
    submitted = sum(_sheet(code).scores.count() for code in ("nghe-an", "ha-tinh", "hue"))
    first = client.post(f"{Y}/chot-diem/")
    page = first.content.decode()
    assert f"Sẽ chốt {submitted} tiêu chí không có ý kiến khác của 3 đơn vị" in page
    assert _unsettled() == before

    response = client.post(f"{Y}/chot-diem/", confirmed(first), follow=True)
    assert f"Đã chốt {submitted} tiêu chí không có ý kiến khác." in response.content.decode()
    assert _unsettled() == before - submitted
    nothing_left = client.post(f"{Y}/chot-diem/").content.decode()
    assert "Không còn tiêu chí nào không có ý kiến khác để chốt." in nothing_left
    assert 'name="confirmed"' not in nothing_left


@pytest.mark.django_db
def test_settling_criteria_that_changed_since_the_confirmation_settles_nothing(client_for: Any) -> None:
    client = client_for(User.objects.get(username="quangtri"))
    first = client.post(f"{Y}/chot-diem/")
    services.reopen(actor=User.objects.get(username="quangtri"), assessment=_sheet("hue"), reason="Sửa")
    before = _unsettled()
    response = client.post(f"{Y}/chot-diem/", confirmed(first), follow=True)
    assert "Dữ liệu đã thay đổi" in response.content.decode()
    assert _unsettled() == before


@pytest.mark.django_db
def test_settling_one_criterion_locks_nothing_until_the_confirmation_is_posted(client_for: Any) -> None:
    client = client_for(User.objects.get(username="quangtri"))
    score = next(s for s in _scores(_sheet("hue")) if s.criterion.code == "2.1")
    first = client.post(f"{Y}/chot-diem/{score.pk}/", {"final_points": "2,5", "note": "Theo giải trình"})
    page = first.content.decode()
    assert "Xác nhận chốt tiêu chí 2.1" in page and "điểm chốt 2,5" in page and "Theo giải trình" in page
    score.refresh_from_db()
    assert score.final_points is None

    client.post(f"{Y}/chot-diem/{score.pk}/", confirmed(first))
    score.refresh_from_db()
    assert (score.final_points, score.final_note) == (Decimal("2.5"), "Theo giải trình")


@pytest.mark.django_db
def test_a_final_score_above_the_maximum_is_refused_before_any_confirmation(client_for: Any) -> None:
    score = next(s for s in _scores(_sheet("hue")) if s.criterion.code == "2.1")
    response = client_for(User.objects.get(username="quangtri")).post(
        f"{Y}/chot-diem/{score.pk}/", {"final_points": "99"}, follow=True
    )
    page = response.content.decode()
    assert "2.1: Điểm phải từ 0 đến" in page and "Xác nhận chốt" not in page
    score.refresh_from_db()
    assert score.final_points is None


# Who reaches each confirmation: the one who may lock, and nobody else.

ROLES = ["anonymous", "nghean", "ninhbinh", "hatinh", "bientap", "vusta", "quangtri"]
CONFIRMATIONS = {
    "submit": (lambda: f"{NGHE_AN_SHEET}nop/", {}, {"nghean"}),
    "complete": (lambda: HUE_REVIEW, {"action": "complete"}, {"ninhbinh"}),
    "settle": (lambda: f"{Y}/chot-diem/", {}, {"vusta", "quangtri"}),
    "settle_one": (
        lambda: f"{Y}/chot-diem/{_scores(_sheet('hue'))[0].pk}/",
        {"final_points": "0"},
        {"vusta", "quangtri"},
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", list(CONFIRMATIONS))
def test_only_who_may_lock_is_shown_a_confirmation_and_nobody_locks_by_posting_it(
    step: str, role: str, client_for: Any, nghe_an_draft: Assessment, hue_review: ReviewAssignment
) -> None:
    path_of, data, allowed = CONFIRMATIONS[step]
    client = client_for(None if role == "anonymous" else User.objects.get(username=role))
    events = AuditEvent.objects.count()
    response = client.post(path_of(), data)
    if role in allowed:
        assert response.status_code == 200
        assert "<h1>Xác nhận" in response.content.decode()
    elif role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/")
    else:
        assert response.status_code == 403
    assert AuditEvent.objects.count() == events
