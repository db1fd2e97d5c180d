"""The dossier's life through its services, as the people of Cụm 4 and VUSTA would live it."""

from __future__ import annotations

import datetime
import io
from fractions import Fraction
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as WordDocument

from thidua.audit.models import AuditEvent
from thidua.awards import services
from thidua.awards.models import Award, Dossier, DossierStatus, Proposal
from thidua.awards.tests.conftest import pdf_upload
from thidua.conferences.models import Poll, PollKind
from thidua.documents.models import Document
from thidua.organizations.models import AwardForm, Organization
from thidua.years.models import EmulationYear

pytestmark = pytest.mark.django_db
D = datetime.date


def _verbs(dossier: Dossier) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="awards.Dossier", target_id=str(dossier.pk))
        .order_by("seq")
        .values_list("verb", flat=True)
    )


def _leader(dossier: Dossier) -> Organization:
    proposal = dossier.proposals.get()
    return proposal.organization


# --- Creating


def test_the_secretariat_creates_the_dossier_with_the_leader_the_conference_voted_for(
    draft: Dossier, year_2023: EmulationYear
) -> None:
    poll = Poll.objects.get(conference__emulation_year=year_2023, kind=PollKind.NOMINATION)
    proposal = draft.proposals.get()
    assert [proposal.organization.code] == poll.result["elected"]
    assert proposal.award_form == AwardForm.PARENT_FLAG
    assert "Suy tôn" in proposal.source and "08/12/2023" in proposal.source
    assert draft.status == DossierStatus.DRAFT
    assert _verbs(draft) == ["dossier.create"]


def test_parent_body_staff_may_create_a_dossier_too(year_2023: EmulationYear, staff: Any) -> None:
    assert services.create_dossier(actor=staff, emulation_year=year_2023).status == DossierStatus.DRAFT


@pytest.mark.parametrize("persona", ["officer_nghe_an", "officer_ha_tinh", "editor"])
def test_members_and_editors_cannot_create_the_dossier(
    year_2023: EmulationYear, persona: str, request: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.create_dossier(actor=request.getfixturevalue(persona), emulation_year=year_2023)
    assert not Dossier.objects.exists()


def test_a_year_has_one_dossier(draft: Dossier, officer_ninh_binh: Any) -> None:
    with pytest.raises(ValidationError, match="đã có hồ sơ"):
        services.create_dossier(actor=officer_ninh_binh, emulation_year=draft.emulation_year)


def test_the_secretariat_of_another_year_cannot_create_it(year_2023: EmulationYear, client_for: Any) -> None:
    from thidua.accounts.models import User

    quang_tri = User.objects.get(username="quangtri")  # head in 2026, a plain member in 2023
    with pytest.raises(PermissionDenied):
        services.create_dossier(actor=quang_tri, emulation_year=year_2023)


# --- Documents and proposals


def test_only_issued_documents_of_the_year_can_go_in_and_a_bad_choice_changes_nothing(
    draft: Dossier, officer_ninh_binh: Any, staff: Any, issued_2023: list[Document]
) -> None:
    services.set_documents(actor=officer_ninh_binh, dossier=draft, documents=issued_2023[:2])
    # A draft: no number yet, not issued (issue 15).
    unsigned = Document.objects.create(
        issuer_group=draft.emulation_year.group,
        doc_type="TTr",
        year=2023,
        number_text="    /TTr-CTĐ4",
        date=D(2023, 12, 9),
        place="Ninh Bình",
        summary="Dự thảo",
        created_by=officer_ninh_binh,
    )
    with pytest.raises(ValidationError) as error:
        services.set_documents(actor=officer_ninh_binh, dossier=draft, documents=[*issued_2023, unsigned])
    assert "đã ban hành" in str(error.value) and unsigned.number_text in str(error.value)
    assert sorted(draft.documents.values_list("pk", flat=True)) == [d.pk for d in issued_2023[:2]]


def test_a_member_officer_cannot_choose_the_documents(
    draft: Dossier, officer_nghe_an: Any, issued_2023: list[Document]
) -> None:
    with pytest.raises(PermissionDenied):
        services.set_documents(actor=officer_nghe_an, dossier=draft, documents=issued_2023)


def test_the_secretariat_adds_and_removes_a_proposal_for_a_member(
    draft: Dossier, officer_ninh_binh: Any, org: Any
) -> None:
    proposal = services.add_proposal(
        actor=officer_ninh_binh, dossier=draft, organization=org("nghe-an"), award_form=AwardForm.PARENT_MERIT
    )
    with pytest.raises(ValidationError, match="đã được đề nghị"):
        services.add_proposal(
            actor=officer_ninh_binh,
            dossier=draft,
            organization=org("nghe-an"),
            award_form=AwardForm.PARENT_MERIT,
        )
    services.remove_proposal(actor=officer_ninh_binh, proposal=proposal)
    assert draft.proposals.count() == 1
    assert _verbs(draft)[-2:] == ["dossier.proposal_add", "dossier.proposal_remove"]


@pytest.mark.parametrize(
    ("code", "form", "field", "message"),
    [
        ("can-tho", AwardForm.PARENT_MERIT, "organization", "không phải thành viên"),
        ("nghe-an", "cup", "award_form", "không có trong danh mục"),
    ],
)
def test_a_proposal_outside_the_members_or_the_award_forms_is_refused_by_field(
    draft: Dossier, officer_ninh_binh: Any, org: Any, code: str, form: str, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.add_proposal(actor=officer_ninh_binh, dossier=draft, organization=org(code), award_form=form)
    assert message in " ".join(error.value.message_dict[field])


# --- Achievement reports


def test_the_leaders_officer_uploads_its_achievement_report_kept_with_its_hash(
    draft: Dossier, officer_ninh_binh: Any
) -> None:
    import hashlib

    upload = pdf_upload("Báo cáo thành tích.pdf")
    content = upload.read()
    upload.seek(0)
    report = services.add_achievement_report(
        actor=officer_ninh_binh, dossier=draft, organization=_leader(draft), upload=upload
    )
    assert report.sha256 == hashlib.sha256(content).hexdigest()
    assert report.original_name == "Báo cáo thành tích.pdf"
    assert report.file.read() == content
    assert "dossier.report_add" in _verbs(draft)


def test_a_word_report_is_accepted_by_its_content(draft: Dossier, officer_ninh_binh: Any) -> None:
    buffer = io.BytesIO()
    WordDocument().save(buffer)
    report = services.add_achievement_report(
        actor=officer_ninh_binh,
        dossier=draft,
        organization=_leader(draft),
        upload=SimpleUploadedFile("bao-cao.docx", buffer.getvalue()),
    )
    assert report.content_type.endswith("wordprocessingml.document")


def test_a_web_page_named_pdf_is_refused_by_its_content(draft: Dossier, officer_ninh_binh: Any) -> None:
    with pytest.raises(ValidationError, match="kiểm tra theo nội dung"):
        services.add_achievement_report(
            actor=officer_ninh_binh,
            dossier=draft,
            organization=_leader(draft),
            upload=SimpleUploadedFile("bao-cao.pdf", b"<html>not a pdf</html>"),
        )
    assert not draft.reports.exists()


def test_a_report_over_the_size_limit_is_refused(
    draft: Dossier, officer_ninh_binh: Any, settings: Any
) -> None:
    settings.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="lớn hơn giới hạn"):
        services.add_achievement_report(
            actor=officer_ninh_binh, dossier=draft, organization=_leader(draft), upload=pdf_upload()
        )


def test_an_officer_of_nghe_an_cannot_upload_for_ninh_binh_nor_for_itself_unproposed(
    draft: Dossier, officer_nghe_an: Any, org: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.add_achievement_report(
            actor=officer_nghe_an, dossier=draft, organization=_leader(draft), upload=pdf_upload()
        )
    with pytest.raises(ValidationError, match="không có đề nghị"):
        services.add_achievement_report(
            actor=officer_nghe_an, dossier=draft, organization=org("nghe-an"), upload=pdf_upload()
        )


# --- Submitting and returning


def test_submitting_names_what_is_missing_and_changes_nothing(draft: Dossier, officer_ninh_binh: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.submit(actor=officer_ninh_binh, dossier=draft)
    assert error.value.messages == [
        "Thiếu tờ trình đề nghị khen thưởng (văn bản loại TTr đã ban hành).",
        "Thiếu biên bản hội nghị (văn bản loại BB đã ban hành).",
        f"Thiếu báo cáo thành tích của: {_leader(draft).name_in_year(2023)} "
        "(cán bộ thi đua của đơn vị tải lên trên trang hồ sơ).",
    ]
    draft.refresh_from_db()
    assert draft.status == DossierStatus.DRAFT and draft.submitted_at is None


def test_the_minutes_alone_are_not_enough(
    draft: Dossier, officer_ninh_binh: Any, issued_2023: list[Document]
) -> None:
    minutes = [d for d in issued_2023 if d.doc_type == "BB"]
    services.set_documents(actor=officer_ninh_binh, dossier=draft, documents=minutes)
    services.add_achievement_report(
        actor=officer_ninh_binh, dossier=draft, organization=_leader(draft), upload=pdf_upload()
    )
    with pytest.raises(ValidationError) as error:
        services.submit(actor=officer_ninh_binh, dossier=draft)
    assert error.value.messages == ["Thiếu tờ trình đề nghị khen thưởng (văn bản loại TTr đã ban hành)."]


def test_a_dossier_is_not_sent_while_a_nominees_achievement_report_is_missing(
    draft: Dossier, officer_ninh_binh: Any, officer_nghe_an: Any, org: Any, issued_2023: list[Document]
) -> None:
    services.set_documents(actor=officer_ninh_binh, dossier=draft, documents=issued_2023)
    services.add_achievement_report(
        actor=officer_ninh_binh, dossier=draft, organization=_leader(draft), upload=pdf_upload()
    )
    services.add_proposal(
        actor=officer_ninh_binh, dossier=draft, organization=org("nghe-an"), award_form=AwardForm.PARENT_MERIT
    )
    with pytest.raises(ValidationError) as error:
        services.submit(actor=officer_ninh_binh, dossier=draft)
    # Only the member still without a report is named.
    assert error.value.messages == [
        f"Thiếu báo cáo thành tích của: {org('nghe-an').name_in_year(2023)} "
        "(cán bộ thi đua của đơn vị tải lên trên trang hồ sơ)."
    ]
    draft.refresh_from_db()
    assert draft.status == DossierStatus.DRAFT and draft.submitted_at is None
    assert "dossier.submit" not in _verbs(draft)

    services.add_achievement_report(
        actor=officer_nghe_an, dossier=draft, organization=org("nghe-an"), upload=pdf_upload()
    )
    assert services.submit(actor=officer_ninh_binh, dossier=draft).status == DossierStatus.SUBMITTED


def test_a_submitted_dossier_is_frozen_for_the_secretariat(
    submitted: Dossier, officer_ninh_binh: Any, org: Any
) -> None:
    assert submitted.status == DossierStatus.SUBMITTED and submitted.submitted_at is not None
    with pytest.raises(ValidationError, match="trả lại"):
        services.add_proposal(
            actor=officer_ninh_binh,
            dossier=submitted,
            organization=org("nghe-an"),
            award_form=AwardForm.PARENT_MERIT,
        )
    with pytest.raises(ValidationError):
        services.submit(actor=officer_ninh_binh, dossier=submitted)


def test_the_parent_body_returns_a_dossier_with_a_reason_and_it_can_be_sent_again(
    submitted: Dossier, staff: Any, officer_ninh_binh: Any
) -> None:
    with pytest.raises(ValidationError) as error:
        services.return_dossier(actor=staff, dossier=submitted, reason="   ")
    assert "lý do" in " ".join(error.value.message_dict["reason"])
    returned = services.return_dossier(actor=staff, dossier=submitted, reason="Thiếu báo cáo thành tích.")
    assert returned.status == DossierStatus.DRAFT
    assert returned.returned_reason == "Thiếu báo cáo thành tích." and returned.returned_at is not None
    again = services.submit(actor=officer_ninh_binh, dossier=returned)
    assert again.status == DossierStatus.SUBMITTED
    assert again.returned_reason  # kept, so both sides see what was asked
    assert _verbs(again)[-3:] == ["dossier.submit", "dossier.return", "dossier.submit"]


@pytest.mark.parametrize("persona", ["officer_ninh_binh", "officer_nghe_an", "editor"])
def test_only_parent_body_staff_return_vote_and_decide(
    submitted: Dossier, persona: str, request: Any
) -> None:
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.return_dossier(actor=actor, dossier=submitted, reason="x")
    with pytest.raises(PermissionDenied):
        services.record_council_vote(actor=actor, dossier=submitted, members=7, present=7, votes={})
    with pytest.raises(PermissionDenied):
        _decide(submitted, actor)


def test_a_draft_cannot_be_returned_nor_voted(draft: Dossier, staff: Any) -> None:
    with pytest.raises(ValidationError):
        services.return_dossier(actor=staff, dossier=draft, reason="x")
    with pytest.raises(ValidationError, match="đã gửi"):
        services.record_council_vote(actor=staff, dossier=draft, members=7, present=7, votes={})


# --- The council and the decision


DECISION_DATE = D(2024, 1, 2)


def _decide(dossier: Dossier, actor: Any, *, date: D = DECISION_DATE) -> Any:
    """The decision with placeholder number and signer: what a test of the rules around it needs."""
    return services.record_decision(
        actor=actor, dossier=dossier, number="1/QĐ", date=date, signer_name="A", signer_title="B"
    )


def _vote(dossier: Dossier, staff: Any, *, members: int, present: int, votes: int) -> Dossier:
    return services.record_council_vote(
        actor=staff,
        dossier=dossier,
        members=members,
        present=present,
        votes={p.pk: votes for p in dossier.proposals.all()},
    )


def test_five_of_seven_present_and_in_favour_is_not_enough_for_a_flag(submitted: Dossier, staff: Any) -> None:
    voted = _vote(submitted, staff, members=7, present=5, votes=5)
    proposal = voted.proposals.get()
    assert (proposal.votes_in_favour, proposal.votes_needed, proposal.passed) == (5, 6, False)
    assert voted.council_threshold == Fraction(4, 5)
    assert "NĐ 98/2023" in voted.council_threshold_source
    awards = services.record_decision(
        actor=staff, dossier=voted, number="5/QĐ-LHHVN", date=D(2024, 1, 5), signer_name="A", signer_title="B"
    )
    assert awards == [] and not Award.objects.exists()
    voted.refresh_from_db()
    assert voted.status == DossierStatus.DECIDED


def test_a_written_vote_of_an_absent_member_makes_the_sixth_and_the_decision_gives_the_flag(
    submitted: Dossier, staff: Any
) -> None:
    voted = _vote(submitted, staff, members=7, present=5, votes=6)
    leader = _leader(voted)
    awards = services.record_decision(
        actor=staff,
        dossier=voted,
        number=" 123/QĐ-LHHVN ",
        date=D(2023, 12, 28),
        signer_name="Nguyễn Văn A",
        signer_title="Chủ tịch",
    )
    award = Award.objects.get()
    assert awards == [award]
    assert (award.organization, award.year, award.award_form, award.decision_number) == (
        leader,
        2023,
        AwardForm.PARENT_FLAG,
        "123/QĐ-LHHVN",
    )
    assert award.dossier == voted
    assert _verbs(voted)[-2:] == ["dossier.council_vote", "dossier.decide"]
    with pytest.raises(ValidationError):
        services.record_council_vote(actor=staff, dossier=voted, members=7, present=7, votes={})


def test_a_bad_council_vote_names_the_problem_and_records_nothing(submitted: Dossier, staff: Any) -> None:
    proposal = submitted.proposals.get()
    with pytest.raises(ValidationError) as error:
        services.record_council_vote(
            actor=staff, dossier=submitted, members=7, present=8, votes={proposal.pk: 9}
        )
    assert any("Số thành viên có mặt (8)" in m for m in error.value.messages)
    assert any("9 phiếu đồng ý nhiều hơn" in m for m in error.value.messages)
    submitted.refresh_from_db()
    proposal.refresh_from_db()
    assert submitted.council_voted_at is None and proposal.votes_in_favour is None


def test_a_dossier_cannot_be_returned_after_the_council_voted(submitted: Dossier, staff: Any) -> None:
    _vote(submitted, staff, members=7, present=7, votes=7)
    with pytest.raises(ValidationError, match="Hội đồng đã bỏ phiếu"):
        services.return_dossier(actor=staff, dossier=submitted, reason="Muộn")


def test_a_decision_before_the_vote_is_refused(submitted: Dossier, staff: Any) -> None:
    with pytest.raises(ValidationError, match="đã được Hội đồng bỏ phiếu"):
        _decide(submitted, staff)


def test_a_decision_without_its_number_date_or_signer_names_each_field(
    submitted: Dossier, staff: Any
) -> None:
    _vote(submitted, staff, members=7, present=7, votes=7)
    with pytest.raises(ValidationError) as error:
        services.record_decision(
            actor=staff, dossier=submitted, number=" ", date=None, signer_name="", signer_title=""
        )
    assert set(error.value.message_dict) == {"number", "date", "signer_name", "signer_title"}
    with pytest.raises(ValidationError) as early:
        _decide(submitted, staff, date=D(2022, 5, 1))
    assert "trước năm thi đua 2023" in early.value.message_dict["date"][0]
    assert not Award.objects.exists()
    assert Dossier.objects.get(pk=submitted.pk).status == DossierStatus.SUBMITTED


def test_a_decision_is_all_or_nothing_when_an_award_already_exists(submitted: Dossier, staff: Any) -> None:
    _vote(submitted, staff, members=7, present=7, votes=7)
    leader = _leader(submitted)
    other = Dossier.objects.create(
        emulation_year=EmulationYear.objects.get(group__slug="vusta-cum-4", year=2024), created_by=staff
    )
    Award.objects.create(
        organization=leader,
        year=2023,
        award_form=AwardForm.PARENT_FLAG,
        decision_number="9/QĐ",
        decision_date=D(2024, 1, 1),
        dossier=other,
    )
    with pytest.raises(ValidationError, match="đã được khen thưởng"):
        _decide(submitted, staff)
    assert Award.objects.count() == 1
    assert Dossier.objects.get(pk=submitted.pk).status == DossierStatus.SUBMITTED


def test_the_council_counts_against_the_regulation_in_force_for_the_year(
    submitted: Dossier, staff: Any
) -> None:
    from thidua.organizations.models import Regulation

    Regulation.objects.filter(parent__code="vusta", valid_from_year=2022).update(
        council_threshold_numerator=9, council_threshold_denominator=10, council_threshold_source="Thử 90%"
    )
    voted = _vote(submitted, staff, members=7, present=7, votes=6)
    proposal = Proposal.objects.get(dossier=voted)
    assert (proposal.votes_needed, proposal.passed) == (7, False)
    assert voted.council_threshold_source == "Thử 90%"
