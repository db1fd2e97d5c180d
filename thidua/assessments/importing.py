"""Applying a filled score sheet (.xlsx): every changed criterion, or none.

Each changed row goes through `services.save_self_score`, the function a click on the scoring page
calls, so the permission check, the draft-only lock and one audit event per score happen there; one
more event records the import itself (the file's SHA-256 and how many rows it changed).
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction

from thidua.accounts.models import User
from thidua.accounts.permissions import is_officer_of, require
from thidua.assessments import services
from thidua.assessments.excel_reading import parse_score_sheet
from thidua.assessments.models import Assessment, AssessmentStatus, Score
from thidua.audit.services import record
from thidua.organizations.importing import ImportRejected

__all__ = ["NOT_DRAFT", "ImportRejected", "apply_score_sheet"]

NOT_DRAFT = "Bản tự chấm đã nộp; cần mở lại trước khi nhập bảng điểm."


@transaction.atomic
def apply_score_sheet(*, actor: User, assessment: Assessment, data: bytes) -> int:
    """Parse `data` again (scores may have changed since the preview) and save every changed row; return
    how many. A file with problems raises `ImportRejected` (a ValidationError whose messages name sheet,
    row and column, with the problems kept in `.problems`) and writes nothing."""
    require(is_officer_of(actor, assessment.organization), "Bạn chỉ được chấm điểm cho đơn vị mình.")
    # Locked for the import: a submit or a second import of the same sheet waits for this one.
    assessment = (
        Assessment.objects.select_for_update()
        .select_related("organization", "agreement", "emulation_year__group")
        .get(pk=assessment.pk)
    )
    refusal = services.scoring_refusal(assessment.emulation_year)
    if refusal:
        raise ValidationError(refusal)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(NOT_DRAFT)
    parsed = parse_score_sheet(data, assessment=assessment)
    if parsed.problems:
        raise ImportRejected(parsed.problems)
    changed = parsed.changed_rows
    if changed:
        scores = {
            s.criterion.code: s
            for s in assessment.scores.select_related("criterion").filter(
                criterion__code__in=[r.code for r in changed]
            )
        }
        for row in changed:
            score = scores.get(row.code)
            if score is None:  # a criterion the assessment has no score row for yet
                criterion = assessment.agreement.criteria.get(code=row.code)
                score = Score.objects.create(assessment=assessment, criterion=criterion)
            score.assessment = assessment  # already loaded with what the service reads
            services.save_self_score(actor=actor, score=score, value=row.value, note=row.note)
    record(
        actor=actor,
        verb="assessment.import",
        target=assessment,
        group=assessment.emulation_year.group,
        data={
            "organization": assessment.organization.code,
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": len(changed),
        },
    )
    return len(changed)
