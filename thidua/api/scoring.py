"""A member's self-scores: read the sheet, write one score or a batch.

Writes go through `assessments.services.save_self_score`, the service behind the web form: the same
permission (the member's own officers), the same range checks by criterion kind, the same audit event.
Values are read by the web form's parser, so "7,5" means here what it means there. A batch, like the
web form, writes every row or none.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Router

from thidua.accounts import permissions
from thidua.api.common import Code, Slug, Year, caller, member_or_404, points, year_or_404
from thidua.api.errors import ERROR_RESPONSES, WRITE_ERROR_RESPONSES, ApiProblem, not_found
from thidua.api.schemas import BatchIn, ScoreIn, ScoreOut, SheetOut
from thidua.assessments import services
from thidua.assessments.models import Assessment, Score
from thidua.lib.decimals import parse_vietnamese_decimal
from thidua.organizations.models import Organization
from thidua.years.models import EmulationYear

router = Router(tags=["Tự chấm điểm"])

OWN_ONLY = "Bạn chỉ được chấm điểm cho đơn vị mình."
SHEET_READERS = "Chỉ đơn vị đó, thường trực cụm và cơ quan cấp trên được xem bảng tự chấm."


def _scores(assessment: Assessment) -> list[Score]:
    return list(
        assessment.scores.select_related(
            "criterion",
            "criterion__group",
            "assessment__organization",
            "assessment__agreement",
            "assessment__emulation_year__group",
        ).order_by("criterion__group__position", "criterion__position")
    )


def _score_row(score: Score) -> dict[str, Any]:
    return {
        "criterion": score.criterion.code,
        "kind": score.criterion.kind,
        "max_points": points(score.criterion.max_points),
        "value": points(score.self_value),
        "points": points(score.self_points),
        "note": score.note,
    }


def _sheet(
    organization: Organization, emulation_year: EmulationYear, assessment: Assessment
) -> dict[str, Any]:
    scores = _scores(assessment)
    return {
        "organization": organization.code,
        "year": emulation_year.year,
        "status": assessment.status,
        "self_total": points(services.sheet_totals(assessment, scores).total),
        "scores": [_score_row(s) for s in scores],
    }


def _own_assessment(request: HttpRequest, slug: str, year: int, org_code: str) -> Assessment:
    """The caller's own organization's sheet, started as the web starts it on first visit."""
    emulation_year = year_or_404(request, slug, year)
    organization = member_or_404(emulation_year, org_code)
    permissions.require(permissions.is_officer_of(request.user, organization), OWN_ONLY)
    assessment = Assessment.objects.filter(emulation_year=emulation_year, organization=organization).first()
    if assessment is None:
        assessment = services.start_assessment(
            actor=caller(request), emulation_year=emulation_year, organization=organization
        )
    return assessment


def _parse(raw: str | None, code: str) -> Decimal | None:
    if raw is None or not raw.strip():
        return None
    try:
        return parse_vietnamese_decimal(raw)
    except ValueError as error:
        raise ValueError(_naming(code, str(error))) from error


def _save(request: HttpRequest, score: Score, value: Decimal | None, note: str | None) -> None:
    """One row through the web form's service; skipped when nothing changes, as the form does."""
    note = score.note if note is None else note
    if value == score.self_value and note.strip() == score.note:
        return
    services.save_self_score(actor=caller(request), score=score, value=value, note=note)


def _refusal(error: ValidationError, code: str, field: str) -> list[tuple[str | None, str]]:
    """A service's refusal, each message naming the criterion and the request field it is about."""
    if hasattr(error, "error_dict"):
        return [(field, _naming(code, m)) for ms in error.message_dict.values() for m in ms]
    return [(None, m) for m in error.messages]


def _naming(code: str, message: str) -> str:
    # The scoring rules already name the criterion in most messages; say it once.
    return message if message.startswith(f"Tiêu chí {code}") else f"Tiêu chí {code}: {message}"


@router.get(
    "/groups/{slug}/years/{year}/self-scores/{org_code}",
    response={200: SheetOut, **ERROR_RESPONSES},
    operation_id="get_self_scores",
    summary="Bảng tự chấm của một đơn vị",
)
def get_sheet(request: HttpRequest, slug: Slug, year: Year, org_code: Slug) -> dict[str, Any]:
    """The member's own officers, the secretariat and the parent body read a sheet, as on the web."""
    emulation_year = year_or_404(request, slug, year)
    organization = member_or_404(emulation_year, org_code)
    permissions.require(
        permissions.is_officer_of(request.user, organization)
        or permissions.can_run_year(request.user, emulation_year.group, year),
        SHEET_READERS,
    )
    assessment = Assessment.objects.filter(emulation_year=emulation_year, organization=organization).first()
    if assessment is None:
        raise not_found(f"Đơn vị «{org_code}» chưa bắt đầu tự chấm năm {year}.")
    return _sheet(organization, emulation_year, assessment)


@router.put(
    "/groups/{slug}/years/{year}/self-scores/{org_code}/{criterion_code}",
    response={200: ScoreOut, **WRITE_ERROR_RESPONSES},
    operation_id="put_self_score",
    summary="Ghi điểm tự chấm một tiêu chí",
)
def put_score(
    request: HttpRequest, slug: Slug, year: Year, org_code: Slug, criterion_code: Code, payload: ScoreIn
) -> dict[str, Any]:
    with transaction.atomic():
        assessment = _own_assessment(request, slug, year, org_code)
        score = next((s for s in _scores(assessment) if s.criterion.code == criterion_code), None)
        if score is None:
            raise not_found(f"Giao ước không có tiêu chí «{criterion_code}».")
        try:
            value = _parse(payload.value, criterion_code)
        except ValueError as error:
            raise ApiProblem(422, "khong_hop_le", str(error), "value", [("value", str(error))]) from error
        try:
            _save(request, score, value, payload.note)
        except ValidationError as error:
            details = _refusal(error, criterion_code, "value")
            raise ApiProblem(422, "khong_hop_le", details[0][1], details[0][0], details) from error
        # What the database keeps, not what was computed before saving: GET must answer the same.
        score.refresh_from_db(fields=["self_value", "self_points", "note"])
        return _score_row(score)


class _Refused(Exception):
    """Undo the rows already saved when a later row is refused."""

    def __init__(self, details: list[tuple[str | None, str]]) -> None:
        super().__init__(details)
        self.details = details


@router.post(
    "/groups/{slug}/years/{year}/self-scores/{org_code}",
    response={200: SheetOut, **WRITE_ERROR_RESPONSES},
    operation_id="post_self_scores",
    summary="Ghi điểm tự chấm nhiều tiêu chí (tất cả hoặc không gì)",
)
def post_scores(
    request: HttpRequest, slug: Slug, year: Year, org_code: Slug, payload: BatchIn
) -> dict[str, Any]:
    """Every row is checked; if any is refused nothing is saved and every problem is listed in
    `chi_tiet`, each naming its row (`scores[2].value`) and its criterion."""
    try:
        with transaction.atomic():
            assessment = _own_assessment(request, slug, year, org_code)
            scores = {s.criterion.code: s for s in _scores(assessment)}
            problems: list[tuple[str | None, str]] = []
            rows: list[tuple[int, Score, Decimal | None, str | None]] = []
            seen: set[str] = set()
            for i, item in enumerate(payload.scores):
                score = scores.get(item.criterion)
                if score is None:
                    problems.append(
                        (f"scores[{i}].criterion", f"Giao ước không có tiêu chí «{item.criterion}».")
                    )
                    continue
                if item.criterion in seen:
                    problems.append(
                        (f"scores[{i}].criterion", f"Tiêu chí {item.criterion} có hai lần trong yêu cầu.")
                    )
                    continue
                seen.add(item.criterion)
                try:
                    rows.append((i, score, _parse(item.value, item.criterion), item.note))
                except ValueError as error:
                    problems.append((f"scores[{i}].value", str(error)))
            if problems:
                raise _Refused(problems)
            for i, score, value, note in rows:
                try:
                    _save(request, score, value, note)
                except ValidationError as error:
                    refusal = _refusal(error, score.criterion.code, f"scores[{i}].value")
                    problems += refusal
                    if any(field is None for field, _ in refusal):
                        break  # about the whole sheet (already submitted): once is enough
            if problems:
                raise _Refused(problems)
            return _sheet(assessment.organization, assessment.emulation_year, assessment)
    except _Refused as refused:
        first_field, first_message = refused.details[0]
        message = (
            first_message
            if len(refused.details) == 1
            else f"Chưa lưu: {len(refused.details)} dòng không hợp lệ. {first_message}"
        )
        raise ApiProblem(422, "khong_hop_le", message, first_field, refused.details) from None
