"""An amended agreement takes effect: every sheet, review and settled score of the year moves to it.

Registered with `agreements.amendments.register_carrier`, it runs inside the transaction that puts the
amendment in force (issue 13):
- a score of a criterion the amendment keeps or changes moves to the new version's criterion, found by
  its key, with its evidence, review and settled points; a changed rule re-checks it (`rules.recheck`);
- a score of a criterion the amendment removes stays as it was, retired (`Score.retired_by`), in the
  history and out of every total;
- a criterion the amendment adds gets an empty score, and a submitted sheet is opened again so the
  member can score it;
- each member whose sheet changed gets an `AmendmentEffect`: its to-do, saying what changed.
"""

from __future__ import annotations

from django.db.models import F

from thidua.accounts.models import User
from thidua.agreements.models import Agreement
from thidua.agreements.rules import AmendmentDiff
from thidua.assessments import rules
from thidua.assessments.models import AmendmentEffect, Assessment, AssessmentStatus, ReviewAssignment, Score
from thidua.assessments.services import spec_of
from thidua.audit.services import record


def carry_to_amendment(actor: User, replaced: Agreement, amendment: Agreement, diff: AmendmentDiff) -> None:
    emulation_year = amendment.emulation_year
    new_criteria = {str(c.key): c for c in amendment.criteria.select_related("group")}
    assessments = list(
        Assessment.objects.select_for_update()
        .filter(emulation_year=emulation_year)
        .exclude(agreement=amendment)
        .select_related("organization")
        .order_by("pk")
    )
    if not assessments:
        return
    scores = Score.objects.filter(assessment__in=assessments).select_related("criterion")
    by_assessment: dict[int, list[Score]] = {}
    for score in scores:
        by_assessment.setdefault(score.assessment_id, []).append(score)
    added = [new_criteria[f.key] for f in diff.added]
    for assessment in assessments:
        lines: list[str] = []
        moved: list[Score] = []
        retired: list[int] = []
        for score in by_assessment.get(assessment.pk, []):
            criterion = new_criteria.get(str(score.criterion.key))
            if criterion is None:
                retired.append(score.pk)
                if score.self_points is not None or score.final_points is not None:
                    lines.append(f"{score.criterion.code}: tiêu chí bị bỏ, điểm được lưu vào lịch sử")
                continue
            checked = rules.recheck(
                spec_of(criterion),
                self_value=score.self_value,
                self_points=score.self_points,
                reviewed_points=score.reviewed_points,
                final_points=score.final_points,
            )
            lines.extend(checked.lines)
            score.criterion = criterion
            score.self_value, score.self_points = checked.self_value, checked.self_points
            score.reviewed_points, score.final_points = checked.reviewed_points, checked.final_points
            if checked.lines:
                score.bump(actor)
            moved.append(score)
        Score.objects.filter(pk__in=retired).update(retired_by=amendment, version=F("version") + 1)
        Score.objects.bulk_update(
            moved,
            [
                "criterion",
                "self_value",
                "self_points",
                "reviewed_points",
                "final_points",
                "version",
                "changed_by",
                "changed_at",
            ],
        )
        Score.objects.bulk_create(Score(assessment=assessment, criterion=c) for c in added)
        lines.extend(f"{c.code}: tiêu chí mới, cần chấm" for c in added)
        reopen = bool(added) and assessment.status == AssessmentStatus.SUBMITTED
        assessment.agreement = amendment
        fields = ["agreement"]
        if reopen:
            assessment.status = AssessmentStatus.DRAFT
            assessment.reopened_reason = f"Giao ước sửa đổi lần {amendment.version - 1} thêm tiêu chí mới"
            fields += ["status", "reopened_reason"]
            # The reviewer checks the sheet again once it is submitted again.
            ReviewAssignment.objects.filter(
                emulation_year=emulation_year, reviewed=assessment.organization
            ).update(completed_at=None, completed_by=None)
        assessment.save(update_fields=fields)
        if lines:
            AmendmentEffect.objects.create(
                assessment=assessment, agreement=amendment, lines=lines, reopened=reopen
            )
        record(
            actor=actor,
            verb="assessment.carry",
            target=assessment,
            group=emulation_year.group,
            data={
                "organization": assessment.organization.code,
                "from_version": replaced.version,
                "version": amendment.version,
                "moved": len(moved),
                "retired": len(retired),
                "added": len(added),
                "reopened": reopen,
                "changes": lines,
            },
        )
