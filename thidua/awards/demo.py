"""Cụm 4's 2023 dossier, decided: the documents of the replayed 08/12/2023 conference issued with demo
signed originals, the leading member's achievement report, the council's vote and VUSTA's decision.

The council's figures, the decision's number, date and signer are not public (DOMAIN.md, Facts for the
demo): they are demo data and say so. Everything goes through the services, so the audit trail is the
one a real dossier would leave; loading twice adds nothing.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from thidua.accounts.models import User
from thidua.assessments.demo import minimal_pdf, officer_of
from thidua.awards import services
from thidua.awards.models import Dossier
from thidua.conferences.models import Conference, Poll, PollKind
from thidua.documents import issuing
from thidua.documents import services as documents
from thidua.documents.generators_votes import conference_day
from thidua.documents.models import Document
from thidua.organizations.models import EmulationGroup, Leadership, LeadershipRole
from thidua.years.models import EmulationYear

DEMO = "(minh họa)"
DEMO_NOTE = "Dữ liệu minh họa: số, ngày quyết định và kết quả bỏ phiếu của Hội đồng chưa công bố"
DECISION_NUMBER = "123/QĐ-LHHVN"
DECISION_DATE = datetime.date(2023, 12, 28)
# A council of 11: 80% of 11 is 8.8, so 9 votes are needed; 9 present, 10 in favour with one written vote.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
COUNCIL_MEMBERS, COUNCIL_PRESENT, VOTES_IN_FAVOUR = 11, 9, 10


def _issue(actor: User, conference: Conference, kind: str, poll: Poll | None = None) -> Document:
    """A document as «Lập» then «Ban hành» make it, without its PDF (a conversion would slow every demo
    load), issued on the conference's day as the replayed 2023 year was, then a demo signed original."""
    draft = issuing.issue(actor=actor, kind=kind, conference=conference, poll=poll, with_pdf=False)
    day = conference_day(conference)
    document = issuing.issue_draft(actor=actor, document=draft, date=day, with_pdf=False)
    signed = minimal_pdf(f"{document.number_text} - ban goc da ky (minh hoa)")
    documents.upload_signed_original(
        actor=actor, document=document, upload=SimpleUploadedFile("ban-goc-minh-hoa.pdf", signed)
    )
    return document


@transaction.atomic
def load_awards_demo(staff: User, group: EmulationGroup) -> None:
    year_2023 = EmulationYear.objects.get(group=group, year=2023)
    conference = Conference.objects.filter(emulation_year=year_2023).first()
    if conference is None or Dossier.objects.filter(emulation_year=year_2023).exists():
        return
    head = Leadership.objects.get(group=group, year=2023, role=LeadershipRole.HEAD).organization
    secretariat = officer_of(head)
    nomination = conference.polls.filter(kind=PollKind.NOMINATION).order_by("position").first()
    issued = [
        _issue(secretariat, conference, "minutes"),
        _issue(secretariat, conference, "count", nomination),
        _issue(secretariat, conference, "summary"),
        _issue(secretariat, conference, "proposal"),
    ]
    dossier = services.create_dossier(actor=secretariat, emulation_year=year_2023)
    services.set_documents(actor=secretariat, dossier=dossier, documents=issued)
    for proposal in dossier.proposals.select_related("organization"):
        leader = proposal.organization
        report = minimal_pdf(f"Bao cao thanh tich nam 2023 - {leader.code} (minh hoa)")
        services.add_achievement_report(
            actor=officer_of(leader),
            dossier=dossier,
            organization=leader,
            upload=SimpleUploadedFile(f"bao-cao-thanh-tich-2023-{leader.code}.pdf", report),
        )
    services.submit(actor=secretariat, dossier=dossier)
    services.record_council_vote(
        actor=staff,
        dossier=dossier,
        members=COUNCIL_MEMBERS,
        present=COUNCIL_PRESENT,
        votes={p.pk: VOTES_IN_FAVOUR for p in dossier.proposals.all()},
    )
    services.record_decision(
        actor=staff,
        dossier=dossier,
        number=DECISION_NUMBER,
        date=DECISION_DATE,
        signer_name=f"Người ký {DEMO}",
        signer_title="Chủ tịch Liên hiệp Hội Việt Nam",
        note=DEMO_NOTE,
    )
    # The replay runs today; its dossier should read as sent by the example deadline of 10/12 (DOMAIN.md,
    # "The year of a cluster", point 6) and voted on before the decision. Demo timestamps only.
    Dossier.objects.filter(pk=dossier.pk).update(
        submitted_at=datetime.datetime(2023, 12, 10, 9, 0, tzinfo=VIETNAM),
        council_voted_at=datetime.datetime(2023, 12, 26, 14, 0, tzinfo=VIETNAM),
    )
