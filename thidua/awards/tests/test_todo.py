"""The to-dos a dossier gives, and their e-mails: a returned dossier asks the secretariat to send it again
and a nominee still without its achievement report to upload it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from thidua.awards import services
from thidua.awards.models import Dossier, DossierStatus, Proposal
from thidua.awards.tests.conftest import pdf_upload
from thidua.awards.todo import returned_todos
from thidua.organizations.models import AwardForm
from thidua.years import notices
from thidua.years.models import Notice, NoticeStatus
from thidua.years.todos import todos_for

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2023, 12, 20)
REASON = "Bổ sung báo cáo thành tích của Nghệ An."
DOSSIER_PAGE = reverse("awards:dossier", args=["vusta-cum-4", 2023])


def _texts(user: Any) -> list[str]:
    return [t.text for t in todos_for(user, TODAY) if "năm 2023" in t.text]


def _sent_before_reports_were_required(submitted: Dossier, org: Any) -> Dossier:
    """A dossier sent while Nghệ An, also proposed, had no achievement report: how dossiers were sent
    before a missing report refused the sending."""
    Proposal.objects.create(
        dossier=submitted, organization=org("nghe-an"), award_form=AwardForm.PARENT_MERIT, source="Thử"
    )
    return submitted


def test_a_returned_dossier_asks_the_secretariat_to_send_it_again_until_it_is_sent(
    submitted: Dossier, staff: Any, officer_ninh_binh: Any, officer_nghe_an: Any, client_for: Any
) -> None:
    assert not [t for t in _texts(officer_ninh_binh) if "trả lại" in t]
    services.return_dossier(actor=staff, dossier=submitted, reason=REASON)

    (returned,) = [t for t in todos_for(officer_ninh_binh, TODAY) if t.key.startswith("returned:")]
    assert returned.text == (
        f"Hồ sơ bị trả lại: {REASON} — sửa và gửi lại (Cụm thi đua số 4 năm 2023, thường trực cụm)"
    )
    assert returned.url == DOSSIER_PAGE
    home = client_for(officer_ninh_binh).get("/").content.decode()
    assert f"Hồ sơ bị trả lại: {REASON}" in home and f'href="{DOSSIER_PAGE}"' in home
    # Only the secretariat of that year: Nghệ An is a plain member, and Quảng Trị heads 2026, not 2023.
    assert not [t for t in todos_for(officer_nghe_an, TODAY) if t.key.startswith("returned:")]

    services.submit(actor=officer_ninh_binh, dossier=submitted)
    assert not [t for t in todos_for(officer_ninh_binh, TODAY) if t.key.startswith("returned:")]


def test_a_returned_dossier_asks_the_nominee_without_a_report_to_upload_it_again(
    submitted: Dossier, staff: Any, officer_ninh_binh: Any, officer_nghe_an: Any, org: Any
) -> None:
    _sent_before_reports_were_required(submitted, org)
    asked = f"Nộp báo cáo thành tích của {org('nghe-an')} — Cụm thi đua số 4 năm 2023"
    assert asked not in _texts(officer_nghe_an)  # sent: nothing can be uploaded

    services.return_dossier(actor=staff, dossier=submitted, reason=REASON)
    assert asked in _texts(officer_nghe_an)
    # Ninh Bình's report is there: nothing asked of it as a nominee.
    assert not [t for t in _texts(officer_ninh_binh) if t.startswith("Nộp báo cáo thành tích")]

    services.add_achievement_report(
        actor=officer_nghe_an, dossier=submitted, organization=org("nghe-an"), upload=pdf_upload()
    )
    assert asked not in _texts(officer_nghe_an)


def test_each_return_is_emailed_to_the_secretariat_and_the_nominee_even_if_told_before(
    draft: Dossier,
    staff: Any,
    officer_ninh_binh: Any,
    officer_nghe_an: Any,
    org: Any,
    issued_2023: list[Any],
    mailoutbox: list[Any],
) -> None:
    """The nominee was e-mailed about its report while the dossier was first made; the return is new work
    and gets its own e-mail, and a second return one more."""
    enqueued: list[tuple[int, int]] = []

    def sweep(day: datetime.date) -> None:
        notices.sweep(today=day, now=timezone.now(), enqueue=lambda *job: enqueued.append(job))
        # The sweep hands its notices to the worker once its transaction commits; the test's never does.
        for notice in Notice.objects.filter(status=NoticeStatus.PENDING):
            notices.send(notice_id=notice.pk, claim=notice.claim)

    def mails_to(username: str) -> list[str]:
        return [m.subject for m in mailoutbox if m.to == [f"{username}@thidua.example"]]

    services.add_achievement_report(
        actor=officer_ninh_binh, dossier=draft, organization=org("ninh-binh"), upload=pdf_upload()
    )
    services.add_proposal(
        actor=officer_ninh_binh, dossier=draft, organization=org("nghe-an"), award_form=AwardForm.PARENT_MERIT
    )
    sweep(TODAY)
    report_mail = f"[thidua] Việc cần làm: Nộp báo cáo thành tích của {org('nghe-an')}"
    assert [s for s in mails_to("nghean") if s.startswith(report_mail)]
    services.set_documents(actor=officer_ninh_binh, dossier=draft, documents=issued_2023)
    # Sent before a missing report refused the sending.
    Dossier.objects.filter(pk=draft.pk).update(status=DossierStatus.SUBMITTED, submitted_at=timezone.now())
    mailoutbox.clear()

    services.return_dossier(actor=staff, dossier=draft, reason=REASON)
    sweep(TODAY + datetime.timedelta(days=1))
    assert [s for s in mails_to("nghean") if s.startswith(report_mail)]
    assert f"[thidua] Việc cần làm: Hồ sơ bị trả lại: {REASON}" in " ".join(mails_to("ninhbinh"))
    assert not mails_to("hatinh")

    # Once both are done, the next sweep writes to nobody about them; a second return writes again.
    services.add_achievement_report(
        actor=officer_nghe_an, dossier=draft, organization=org("nghe-an"), upload=pdf_upload()
    )
    services.submit(actor=officer_ninh_binh, dossier=draft)
    mailoutbox.clear()
    sweep(TODAY + datetime.timedelta(days=2))
    assert not mails_to("ninhbinh") and not mails_to("nghean")
    services.return_dossier(actor=staff, dossier=draft, reason="Sửa tờ trình.")
    sweep(TODAY + datetime.timedelta(days=3))
    assert mails_to("ninhbinh") == [
        "[thidua] Việc cần làm: Hồ sơ bị trả lại: Sửa tờ trình. — sửa và gửi lại "
        "(Cụm thi đua số 4 năm 2023, thường trực cụm)"
    ]


def test_a_long_reason_is_cut_in_the_todo_and_shown_whole_on_the_page(
    submitted: Dossier, staff: Any, officer_ninh_binh: Any, client_for: Any
) -> None:
    reason = "Bổ sung biên bản kiểm phiếu. " * 20
    services.return_dossier(actor=staff, dossier=submitted, reason=reason)
    (returned,) = [t for t in todos_for(officer_ninh_binh, TODAY) if t.key.startswith("returned:")]
    assert "…" in returned.text and len(returned.text) < 200
    assert reason.strip() in client_for(officer_ninh_binh).get(DOSSIER_PAGE).content.decode()


def test_the_secretariats_returned_todos_cost_the_same_queries_for_one_dossier_and_for_three(
    submitted: Dossier, staff: Any, officer_ninh_binh: Any
) -> None:
    from thidua.organizations.models import Leadership, LeadershipRole
    from thidua.years.models import EmulationYear

    services.return_dossier(actor=staff, dossier=submitted, reason=REASON)
    officer_ninh_binh = type(officer_ninh_binh).objects.get(pk=officer_ninh_binh.pk)
    returned_todos(officer_ninh_binh, TODAY)  # the user's roles, outside the count
    with CaptureQueriesContext(connection) as one:
        assert len(returned_todos(officer_ninh_binh, TODAY)) == 1
    # Two more years Ninh Bình heads, each with a returned dossier.
    group = submitted.emulation_year.group
    for year in (2019, 2020):
        emulation_year = EmulationYear.objects.create(group=group, year=year)
        Leadership.objects.update_or_create(
            group=group,
            year=year,
            role=LeadershipRole.HEAD,
            defaults={"organization": submitted.proposals.get().organization},
        )
        Dossier.objects.create(
            emulation_year=emulation_year,
            created_by=staff,
            returned_reason="Thử",
            returned_at=timezone.now(),
            submitted_at=timezone.now(),
        )
    with CaptureQueriesContext(connection) as three:
        assert len(returned_todos(officer_ninh_binh, TODAY)) == 3
    assert len(one) == len(three)
