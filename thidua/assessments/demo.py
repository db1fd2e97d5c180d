"""Cụm 4's demo years: 2023 scored, cross-checked and settled; 2026 in force with self-scoring open.

Scores of Cụm 4 are not public (DOMAIN.md): every figure here is made up, deterministic, and labelled as
demo in the notes. Everything goes through the services, so the audit trail is the one a real year
would leave.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from thidua.accounts.models import Role, RoleKind, User
from thidua.agreements import services as agreements
from thidua.agreements.models import AgreementStatus, Criterion
from thidua.assessments import services
from thidua.assessments.models import Assessment, AssessmentStatus
from thidua.organizations.models import EmulationGroup, Organization
from thidua.years import services as year_services
from thidua.years.models import EmulationYear, YearStage

DEMO_NOTE = "Số liệu minh họa"
D = Decimal
ALL = D(1)


def _fraction(*parts: str) -> Decimal:
    """A stable pseudo-random number in [0, 1) from the parts, so the demo is the same on every machine."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return Decimal(int.from_bytes(digest[:4], "big")) / Decimal(2**32)


def demo_value(criterion: Criterion, organization_code: str, year: int) -> Decimal:
    share = _fraction(str(year), organization_code, criterion.code)
    kind = criterion.kind
    if kind == "pass_fail":
        return D(1) if share < D("0.85") else D(0)
    if kind == "quantitative":
        target = criterion.target or D(1)
        return (target * (D("0.6") + share * D("0.7"))).quantize(D(1), rounding=ROUND_HALF_UP)
    if kind == "per_occurrence":
        unit = criterion.points_per_unit or D(1)
        return (criterion.max_points / unit * (D("0.5") + share * D("0.7"))).quantize(
            D(1), rounding=ROUND_HALF_UP
        )
    if kind == "bonus":
        return (
            (criterion.max_points * share).quantize(D(1), rounding=ROUND_HALF_UP)
            if share > D("0.5")
            else D(0)
        )
    if kind == "penalty":
        return D(1) if share > D("0.8") else D(0)
    # Fixed: 70–100% of the maximum, in half points, as officers usually score themselves.
    return (criterion.max_points * (D("0.7") + share * D("0.3")) * 2).quantize(
        D(1), rounding=ROUND_HALF_UP
    ) / 2


def officer_of(organization: Organization) -> User:
    """A demo officer of `organization`, to act for it in the demo loaders."""
    role = (
        Role.objects.filter(organization=organization, kind=RoleKind.OFFICER).select_related("user").first()
    )
    if role is None:
        raise RuntimeError(f"the demo needs an officer for {organization.code}")
    return role.user


def minimal_pdf(title: str) -> bytes:
    """A one-page PDF that viewers open: enough to stand for a scanned piece of evidence."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _year_with_agreement(
    staff: User, group: EmulationGroup, year: int, deadlines: dict[str, datetime.date | None]
) -> EmulationYear:
    emulation_year = EmulationYear.objects.filter(group=group, year=year).first()
    if emulation_year is None:
        emulation_year = year_services.open_year(actor=staff, group=group, year=year, deadlines=deadlines)
    agreement = emulation_year.agreements.order_by("-version").first()
    if agreement is None:
        agreement = agreements.create_agreement_from_template(actor=staff, emulation_year=emulation_year)
    if agreement.status == AgreementStatus.DRAFT:
        agreements.open_for_signing(actor=staff, agreement=agreement)
    if agreement.status != AgreementStatus.IN_FORCE:
        signed = set(agreement.signatures.values_list("organization_id", flat=True))
        for member in agreements.members_of(emulation_year):
            if member.pk not in signed:
                agreements.sign(
                    actor=officer_of(member),
                    agreement=agreement,
                    organization=member,
                    signer_name=f"Chủ tịch {member.short_name_in_year(year)} ({DEMO_NOTE.lower()})",
                    signer_title="Chủ tịch",
                )
    emulation_year.refresh_from_db()
    return emulation_year


def _self_score(
    emulation_year: EmulationYear, member: Organization, *, submit: bool, share: Decimal = ALL
) -> Assessment:
    officer = officer_of(member)
    assessment = services.start_assessment(actor=officer, emulation_year=emulation_year, organization=member)
    if assessment.status == AssessmentStatus.SUBMITTED:
        return assessment
    scores = list(
        assessment.scores.select_related("criterion", "criterion__group").order_by(
            "criterion__group__position", "criterion__position"
        )
    )
    for index, score in enumerate(scores):
        if index >= len(scores) * share:
            break
        if score.self_points is None:
            value = demo_value(score.criterion, member.code, emulation_year.year)
            services.save_self_score(actor=officer, score=score, value=value, note=f"{DEMO_NOTE}.")
        if score.criterion.evidence_required and not score.evidence.exists():
            name = f"minh-chung-{score.criterion.code}.pdf"
            pdf = minimal_pdf(
                f"Minh chung {score.criterion.code} - {member.code} - {emulation_year.year} (demo)"
            )
            services.add_evidence(
                actor=officer, score=score, upload=SimpleUploadedFile(name, pdf, "application/pdf")
            )
    if submit:
        assessment = services.submit(actor=officer, assessment=assessment)
    return assessment


def _score_2023(staff: User, year_2023: EmulationYear) -> None:
    """2023's sheets as the seed's conference found them: submitted, cross-checked, settled."""
    members = sorted(agreements.members_of(year_2023), key=lambda m: m.code)
    assessments = {m.code: _self_score(year_2023, m, submit=True) for m in members}
    if not year_2023.review_assignments.exists():
        services.assign_reviewers(
            actor=staff, emulation_year=year_2023, assignments=services.propose_reviewers(year_2023)
        )
    for assignment in year_2023.review_assignments.select_related("reviewer", "reviewed"):
        if assignment.completed_at is not None:
            continue
        reviewer = officer_of(assignment.reviewer)
        assessment = assessments[assignment.reviewed.code]
        for score in assessment.scores.select_related("criterion").order_by("criterion__code"):
            if score.reviewed_points is not None:
                continue
            self_points = score.self_points or D(0)
            # One criterion in six is judged half a point lower, with a reason the member then answers.
            lower = (
                _fraction("review", assignment.reviewed.code, score.criterion.code) < D("0.17")
                and self_points >= 1
            )
            reviewed = self_points - D("0.5") if lower else self_points
            services.save_review(
                actor=reviewer,
                score=score,
                reviewed_points=reviewed,
                reason="Minh chứng chưa thể hiện đủ kết quả (minh họa)." if lower else "",
            )
            if lower:
                services.answer(
                    actor=officer_of(assignment.reviewed),
                    score=score,
                    text="Đơn vị bổ sung báo cáo kết quả và văn bản liên quan (minh họa).",
                )
        services.complete_review(actor=reviewer, assignment=assignment)
    services.settle_agreed(actor=staff, emulation_year=year_2023)
    for assessment in assessments.values():
        for score in assessment.scores.filter(final_points__isnull=True).select_related("criterion"):
            # Disagreements settled half-way: the answer convinced the secretariat in part.
            middle = ((score.self_points or D(0)) + (score.reviewed_points or D(0))) / 2
            services.settle(
                actor=staff,
                score=score,
                final_points=middle.quantize(D("0.01")),
                note="Sau giải trình (minh họa)",
            )


@transaction.atomic
def load_year_demo(staff: User, group: EmulationGroup) -> None:
    # 2023: the year of the seed's conference, settled before 08/12/2023.
    year_2023 = _year_with_agreement(
        staff,
        group,
        2023,
        {
            "signing_due": datetime.date(2023, 1, 31),
            "self_scoring_due": datetime.date(2023, 11, 15),
            "review_due": datetime.date(2023, 11, 25),
            "answer_due": datetime.date(2023, 11, 30),
            "conference_date": datetime.date(2023, 12, 8),
        },
    )
    # Loaded again over itself (the suite restores the demo after a module that changed it), a 2023 the
    # conference has since closed is history: its sheets take no change, and need none.
    if year_2023.stage != YearStage.CLOSED:
        _score_2023(staff, year_2023)

    # 2026: agreement in force, self-scoring open; three members done, two part-way, one not started.
    year_2026 = _year_with_agreement(
        staff,
        group,
        2026,
        {
            "signing_due": datetime.date(2026, 1, 31),
            "self_scoring_due": datetime.date(2026, 12, 5),
            "review_due": datetime.date(2026, 12, 12),
            "answer_due": datetime.date(2026, 12, 16),
            "conference_date": datetime.date(2026, 12, 22),
        },
    )
    members_2026 = sorted(agreements.members_of(year_2026), key=lambda m: m.code)
    for index, member in enumerate(members_2026):
        if index < 3:
            _self_score(year_2026, member, submit=True)
        elif index < 5:
            _self_score(year_2026, member, submit=False, share=D("0.5"))
