"""Sheets that an amendment left on the version it replaced, before amendments carried the year.

An amendment that took effect before this release left every sheet on the replaced version (the ranking
then failed). Each such sheet is carried now as an amendment taking effect carries it: a score follows its
criterion's key to the version in force and is re-checked under a changed rule, a removed criterion's score
is retired, an added criterion gets an empty score. What changed is left for the member as an amendment
effect, its to-do.
"""

from django.db import migrations

from thidua.assessments import rules


def _spec(criterion):
    return rules.CriterionSpec(
        code=criterion.code,
        kind=rules.Kind(criterion.kind),
        max_points=criterion.max_points,
        group=str(criterion.group_id),
        target=criterion.target,
        points_per_unit=criterion.points_per_unit,
    )


def carry_left_behind(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    Assessment = apps.get_model("assessments", "Assessment")
    Score = apps.get_model("assessments", "Score")
    AmendmentEffect = apps.get_model("assessments", "AmendmentEffect")
    behind = Assessment.objects.exclude(agreement__status="in_force").select_related("agreement")
    for assessment in behind.iterator():
        in_force = Agreement.objects.filter(
            emulation_year_id=assessment.emulation_year_id, status="in_force"
        ).first()
        if in_force is None or in_force.version <= assessment.agreement.version:
            continue
        criteria = {c.key: c for c in in_force.criteria.all()}
        lines = []
        kept = set()
        for score in Score.objects.filter(assessment=assessment, retired_by__isnull=True).select_related(
            "criterion"
        ):
            criterion = criteria.get(score.criterion.key)
            if criterion is None:
                score.retired_by = in_force
                score.save(update_fields=["retired_by"])
                lines.append(f"{score.criterion.code}: tiêu chí bị bỏ, điểm được lưu vào lịch sử")
                continue
            checked = rules.recheck(
                _spec(criterion),
                self_value=score.self_value,
                self_points=score.self_points,
                reviewed_points=score.reviewed_points,
                final_points=score.final_points,
            )
            lines.extend(checked.lines)
            score.criterion = criterion
            score.self_value, score.self_points = checked.self_value, checked.self_points
            score.reviewed_points, score.final_points = checked.reviewed_points, checked.final_points
            score.save(
                update_fields=["criterion", "self_value", "self_points", "reviewed_points", "final_points"]
            )
            kept.add(criterion.key)
        for key, criterion in criteria.items():
            if key not in kept:
                Score.objects.create(assessment=assessment, criterion=criterion)
                lines.append(f"{criterion.code}: tiêu chí mới, cần chấm")
        added = len(criteria) > len(kept)
        reopened = added and assessment.status == "submitted"
        assessment.agreement = in_force
        fields = ["agreement"]
        if reopened:
            assessment.status = "draft"
            assessment.reopened_reason = f"Giao ước sửa đổi lần {in_force.version - 1} thêm tiêu chí mới"
            fields += ["status", "reopened_reason"]
        assessment.save(update_fields=fields)
        if lines:
            AmendmentEffect.objects.get_or_create(
                assessment=assessment, agreement=in_force, defaults={"lines": lines, "reopened": reopened}
            )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0005_amendments_carry_the_year")]

    operations = [migrations.RunPython(carry_left_behind, migrations.RunPython.noop)]
