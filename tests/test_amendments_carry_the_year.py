"""An amendment carries the year's scores with it (issue 13, part 3).

Each kind of change an amendment makes (a lowered maximum, a removed criterion, an added one, a text
change, a criterion moved to another code, and the issue's own case: 1.2's maximum lowered to 3 and 1.3
removed) is tried at three moments of the 2026 year of Cụm 4: mid-scoring (the demo as it is), every sheet
submitted and cross-checked, and every score settled. After the six members sign the amendment:
- every page of the year answers, for the head's officer, a member's officer and the parent body's staff;
- the totals on the ranking page are what the stored scores of the version in force add up to, worked out
  here from the scores before the amendment and the change, not by the code under test;
- a removed criterion's scores stay in the history, an added criterion reopens submitted sheets, and the
  members whose scores changed, and only those, have a to-do saying what changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client

from thidua.accounts.models import User
from thidua.agreements import services as agreements
from thidua.agreements.models import Agreement, AgreementStatus, Criterion
from thidua.assessments import rules
from thidua.assessments.models import AmendmentEffect, Assessment, AssessmentStatus, ReviewAssignment, Score
from thidua.assessments.ranking import year_results
from thidua.assessments.services import spec_of, start_assessment
from thidua.audit.models import AuditEvent
from thidua.audit.services import verify_chain
from thidua.organizations.models import Organization
from thidua.years.models import EmulationYear
from thidua.years.todos import todos_for

Y = "/nam-thi-dua/vusta-cum-4/2026"
MEMBERS = ["ninh-binh", "thanh-hoa", "nghe-an", "ha-tinh", "quang-tri", "hue"]
ZERO = Decimal(0)


def _officer(province: str) -> User:
    return User.objects.get(username=province.replace("-", ""))


def _year() -> EmulationYear:
    return EmulationYear.objects.get(group__slug="vusta-cum-4", year=2026)


def _in_force() -> Agreement:
    agreement = agreements.agreement_in_force(_year())
    assert agreement is not None
    return agreement


# --- The moments of the year ------------------------------------------------------------------------


def _every_sheet_filled() -> None:
    """Every member has a sheet with a value on every criterion it accepts (the demo leaves gaps)."""
    for province in MEMBERS:
        organization = Organization.objects.get(code=f"lhh-{province}")
        start_assessment(actor=_officer(province), emulation_year=_year(), organization=organization)
    for score in Score.objects.filter(assessment__emulation_year=_year()).select_related("criterion__group"):
        if score.self_points is not None:
            continue
        spec = spec_of(score.criterion)
        _low, high = rules.input_range(spec)
        value = (
            Decimal(1) if spec.kind == rules.Kind.PASS_FAIL else (high if high is not None else Decimal(3))
        )
        score.self_value, score.self_points = value, rules.points(spec, value)
        score.save(update_fields=["self_value", "self_points"])


def mid_scoring() -> None:
    """The demo as it is: some sheets submitted, some still drafts."""


def submitted_and_reviewed() -> None:
    _every_sheet_filled()
    Assessment.objects.filter(emulation_year=_year()).update(status=AssessmentStatus.SUBMITTED)
    organizations = {o.code: o for o in Organization.objects.filter(code__in=[f"lhh-{p}" for p in MEMBERS])}
    for index, province in enumerate(MEMBERS):
        reviewer = MEMBERS[(index + 1) % len(MEMBERS)]
        ReviewAssignment.objects.get_or_create(
            emulation_year=_year(),
            reviewed=organizations[f"lhh-{province}"],
            defaults={"reviewer": organizations[f"lhh-{reviewer}"]},
        )
    for score in Score.objects.filter(assessment__emulation_year=_year()):
        score.reviewed_points = score.self_points
        score.save(update_fields=["reviewed_points"])


def settled() -> None:
    submitted_and_reviewed()
    Score.objects.filter(assessment__emulation_year=_year()).update(final_points=F("self_points"))


MOMENTS: dict[str, Callable[[], None]] = {
    "mid_scoring": mid_scoring,
    "submitted": submitted_and_reviewed,
    "settled": settled,
}


# --- The changes ----------------------------------------------------------------------------------


def _values(criterion: Criterion, **changes: Any) -> dict[str, Any]:
    values = {
        "group": criterion.group,
        "code": criterion.code,
        "text": criterion.text,
        "guidance": criterion.guidance,
        "kind": criterion.kind,
        "max_points": criterion.max_points,
        "target": criterion.target,
        "points_per_unit": criterion.points_per_unit,
        "evidence_required": criterion.evidence_required,
    }
    values.update(changes)
    return values


def _edit(amendment: Agreement, which: str, **changes: Any) -> None:
    criterion = amendment.criteria.select_related("group").get(code=which)
    agreements.save_criterion(
        actor=_officer("quang-tri"),
        agreement=amendment,
        criterion=criterion,
        values=_values(criterion, **changes),
    )


def lower_maximum(amendment: Agreement) -> None:
    _edit(amendment, "1.2", max_points=Decimal(3))


def remove(amendment: Agreement) -> None:
    agreements.delete_criterion(actor=_officer("quang-tri"), criterion=amendment.criteria.get(code="1.3"))


def add(amendment: Agreement) -> None:
    model = amendment.criteria.select_related("group").get(code="1.2")
    agreements.save_criterion(
        actor=_officer("quang-tri"),
        agreement=amendment,
        criterion=None,
        values=_values(
            model,
            code="1.9",
            text="Ứng dụng chuyển đổi số trong hoạt động của Liên hiệp hội",
            max_points=Decimal(2),
        ),
    )


def reword(amendment: Agreement) -> None:
    _edit(amendment, "1.2", text="Tổ chức hoạt động tư vấn, phản biện và giám định xã hội (sửa đổi)")


def recode(amendment: Agreement) -> None:
    _edit(amendment, "2.2", code="2.9")


def the_issues_case(amendment: Agreement) -> None:
    lower_maximum(amendment)
    remove(amendment)


CHANGES: dict[str, Callable[[Agreement], None]] = {
    "lower_maximum": lower_maximum,
    "remove": remove,
    "add": add,
    "reword": reword,
    "recode": recode,
    "issue": the_issues_case,
}


def _expected(
    totals_before: dict[str, Decimal],
    before: dict[tuple[str, str], tuple[Decimal | None, Decimal | None]],
    change: str,
    column: int,
) -> dict[str, Decimal]:
    """Each member's total of one column (0 self, 1 final) after the change: its total before, less the
    points the change takes away, as the officers would work it out by hand. Group 1's maximum is the
    sum of its criteria's (checked by the test), so points taken off one of them come off the total."""
    expected = dict(totals_before)
    for (organization, code), values in before.items():
        points = values[column] or ZERO
        if change in ("lower_maximum", "issue") and code == "1.2":
            expected[organization] -= points - min(points, Decimal(3))
        if change in ("remove", "issue") and code == "1.3":
            expected[organization] -= points
    return expected


def _sign_everywhere(amendment: Agreement) -> None:
    agreements.open_for_signing(actor=_officer("quang-tri"), agreement=amendment)
    for province in MEMBERS:
        agreements.sign(
            actor=_officer(province),
            agreement=amendment,
            organization=Organization.objects.get(code=f"lhh-{province}"),
            signer_name=f"Chủ tịch {province}",
            signer_title="Chủ tịch",
        )


_LINK = re.compile(r'href="(/nam-thi-dua/vusta-cum-4/2026/[^"#?]*)"')


def _every_page_of_the_year(client: Client) -> dict[str, int]:
    """Follow every link under the year from its dashboard, two levels deep: what a user can click."""
    seen: dict[str, int] = {}
    frontier = [f"{Y}/"]
    for _depth in range(2):
        found: list[str] = []
        for url in frontier:
            if url in seen or "/xoa/" in url or url.endswith((".docx", ".pdf", ".xlsx")):
                continue
            response = client.get(url)
            seen[url] = response.status_code
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                found += _LINK.findall(response.content.decode())
        frontier = found
    return seen


def _pages_answer(client_for: Callable[[Any], Client]) -> None:
    for username in ("quangtri", "ninhbinh", "vusta"):
        statuses = _every_page_of_the_year(client_for(User.objects.get(username=username)))
        broken = {url: status for url, status in statuses.items() if status >= 500}
        assert not broken, (username, broken)
        assert len(statuses) > 5, statuses


@pytest.mark.django_db
@pytest.mark.parametrize("moment", list(MOMENTS))
@pytest.mark.parametrize("change", list(CHANGES))
def test_an_amendment_carries_every_sheet_review_and_settled_score_to_the_new_version(
    moment: str, change: str, client_for: Callable[[Any], Client]
) -> None:
    MOMENTS[moment]()
    replaced = _in_force()
    before = {
        (s.assessment.organization.code, s.criterion.code): (s.self_points, s.final_points)
        for s in Score.objects.filter(assessment__emulation_year=_year()).select_related(
            "assessment__organization", "criterion"
        )
    }
    submitted_before = set(
        Assessment.objects.filter(emulation_year=_year(), status=AssessmentStatus.SUBMITTED).values_list(
            "organization__code", flat=True
        )
    )
    group_1 = replaced.criterion_groups.get(code="1")
    assert group_1.max_points == sum(c.max_points for c in group_1.criteria.all())
    results_before = year_results(_year())
    self_before = {m.organization.code: m.self_total.total for m in results_before.members if m.self_total}
    final_before = {m.organization.code: m.final_total.total for m in results_before.members if m.final_total}
    _pages_answer(client_for)

    amendment = agreements.amend(actor=_officer("quang-tri"), agreement=replaced, reason="Sửa đổi giữa năm")
    CHANGES[change](amendment)
    _pages_answer(client_for)  # during: the amendment is a draft, the year runs on the version in force
    _sign_everywhere(amendment)
    amendment.refresh_from_db()
    assert amendment.status == AgreementStatus.IN_FORCE
    _pages_answer(client_for)

    # Every live score is on the new version; nothing else is.
    live = Score.objects.filter(assessment__emulation_year=_year())
    assert set(live.values_list("criterion__agreement", flat=True)) == {amendment.pk}
    assert set(Assessment.objects.filter(emulation_year=_year()).values_list("agreement", flat=True)) == {
        amendment.pk
    }
    for assessment in Assessment.objects.filter(emulation_year=_year()):
        assert assessment.scores.count() == amendment.criteria.count()

    # The totals are what the stored scores add up to, worked out by hand from before the change.
    results = year_results(_year())
    self_expected = _expected(self_before, before, change, 0)
    for member in results.members:
        if member.self_total is not None:
            assert member.self_total.total == self_expected[member.organization.code], member.name
    if moment == "settled" and change != "add":
        final_expected = _expected(final_before, before, change, 1)
        ranked = [m for m in results.members if m.final_total is not None]
        assert len(ranked) == len(MEMBERS)
        for member in ranked:
            assert member.final_total is not None
            assert member.final_total.total == final_expected[member.organization.code]
        totals = [m.final_total.total for m in ranked if m.final_total is not None]
        assert totals == sorted(totals, reverse=True)  # ranked by the new totals

    # Removed: kept in the history, out of the totals. Added: a submitted sheet is opened again.
    retired = Score.history.filter(assessment__emulation_year=_year(), retired_by=amendment)
    removed = change in ("remove", "issue")
    assert retired.count() == (Assessment.objects.filter(emulation_year=_year()).count() if removed else 0)
    if removed:
        assert {s.criterion.code for s in retired.select_related("criterion")} == {"1.3"}
        assert all(
            (s.self_points, s.final_points) == before[(s.assessment.organization.code, "1.3")]
            for s in retired.select_related("assessment__organization")
        )
    reopened = set(
        Assessment.objects.filter(emulation_year=_year(), status=AssessmentStatus.DRAFT).values_list(
            "organization__code", flat=True
        )
    )
    if change == "add":
        assert submitted_before <= reopened
    else:
        assert not (submitted_before & reopened)

    # The members whose scores changed, and only those, are told what changed.
    def changed(organization: str) -> bool:
        if change == "add":
            return True
        return any(
            (change in ("lower_maximum", "issue") and code == "1.2" and (values[0] or ZERO) > 3)
            or (
                change in ("remove", "issue")
                and code == "1.3"
                and (values[0] is not None or values[1] is not None)
            )
            for (org, code), values in before.items()
            if org == organization
        )

    told = set(
        AmendmentEffect.objects.filter(agreement=amendment).values_list(
            "assessment__organization__code", flat=True
        )
    )
    assert told == {org for (org, _code) in before if changed(org)}
    ninh_binh_todos = [t.text for t in todos_for(_officer("ninh-binh")) if "sửa đổi lần 1" in t.text]
    assert bool(ninh_binh_todos) == ("lhh-ninh-binh" in told)
    assert AuditEvent.objects.filter(verb="assessment.carry").count() == len({org for (org, _code) in before})
    assert verify_chain() is None


@pytest.mark.django_db
def test_the_member_reads_what_the_amendment_changed_on_its_sheet_and_the_todo_goes(
    client_for: Callable[[Any], Client],
) -> None:
    submitted_and_reviewed()
    amendment = agreements.amend(actor=_officer("quang-tri"), agreement=_in_force(), reason="Hạ điểm 1.2")
    the_issues_case(amendment)
    drafted = client_for(_officer("quang-tri")).get(f"{Y}/giao-uoc/").content.decode()
    assert "Thay đổi so với bản đang có hiệu lực" in drafted
    assert "Sửa 1.2: điểm tối đa" in drafted and "Bỏ 1.3" in drafted
    _sign_everywhere(amendment)
    event = AuditEvent.objects.filter(verb="agreement.in_force").order_by("-seq").first()
    assert event is not None and event.data["changes"] == ["Sửa 1.2: điểm tối đa", "Bỏ 1.3"]
    client = client_for(_officer("ninh-binh"))
    page = client.get(f"{Y}/cham-diem/lhh-ninh-binh/").content.decode()
    assert "Giao ước sửa đổi lần 1 đã thay đổi bản tự chấm này" in page
    assert "1.3: tiêu chí bị bỏ, điểm được lưu vào lịch sử" in page
    assert "Điểm các tiêu chí đã bỏ theo sửa đổi giao ước" in page
    effect = AmendmentEffect.objects.get(assessment__organization__code="lhh-ninh-binh")
    url = f"{Y}/cham-diem/lhh-ninh-binh/sua-doi/{effect.pk}/da-xem/"
    assert client_for(_officer("nghe-an")).post(url).status_code == 403
    client.post(url)
    assert not [t for t in todos_for(_officer("ninh-binh")) if "sửa đổi lần 1" in t.text]
    assert "đã thay đổi bản tự chấm này" not in client.get(f"{Y}/cham-diem/lhh-ninh-binh/").content.decode()


@pytest.mark.django_db
def test_a_second_amendment_while_one_is_drafted_is_refused_saying_which_and_by_whom() -> None:
    replaced = _in_force()
    agreements.amend(actor=_officer("quang-tri"), agreement=replaced, reason="Lần một")
    with pytest.raises(ValidationError) as refused:
        agreements.amend(actor=_officer("quang-tri"), agreement=replaced, reason="Lần hai")
    message = " ".join(refused.value.messages)
    assert "Đã có bản sửa đổi lần 1 đang dự thảo" in message and "bởi" in message
    assert Agreement.objects.filter(emulation_year=_year()).count() == 2


def test_the_diff_tells_kept_changed_reordered_removed_and_added_apart() -> None:
    from thidua.agreements.rules import CriterionFacts, amendment_diff

    def facts(key: str, code: str, maximum: int = 5, text: str = "t") -> CriterionFacts:
        return CriterionFacts(key, code, "1", int(code[-1]), text, "fixed", Decimal(maximum))

    diff = amendment_diff(
        [facts("a", "1.1"), facts("b", "1.2"), facts("c", "1.3"), facts("d", "1.4")],
        [facts("a", "1.1"), facts("b", "1.2", maximum=3), facts("d", "1.3"), facts("e", "1.4")],
    )
    assert [f.key for f in diff.kept] == ["a"]
    assert [(c.after.code, c.fields) for c in diff.changed] == [("1.2", ("max_points",))]
    assert [(c.before.code, c.after.code) for c in diff.reordered] == [("1.4", "1.3")]
    assert [f.key for f in diff.removed] == ["c"] and [f.key for f in diff.added] == ["e"]
    assert diff.lines() == ["Sửa 1.2: điểm tối đa", "Chuyển 1.4 thành 1.3", "Bỏ 1.3", "Thêm 1.4"]


def test_a_lowered_maximum_brings_a_stored_score_down_and_says_so() -> None:
    spec = rules.CriterionSpec(code="1.2", kind=rules.Kind.FIXED, max_points=Decimal(3))
    checked = rules.recheck(
        spec,
        self_value=Decimal(5),
        self_points=Decimal(5),
        reviewed_points=Decimal(4),
        final_points=Decimal("4.5"),
    )
    assert (checked.self_value, checked.self_points) == (Decimal(3), Decimal(3))
    assert (checked.reviewed_points, checked.final_points) == (Decimal(3), Decimal(3))
    assert checked.lines == (
        "1.2: điểm tự chấm 5 → 3",
        "1.2: điểm chấm chéo 4 → 3",
        "1.2: điểm chốt 4,5 → 3",
    )
    unchanged = rules.recheck(
        spec, self_value=Decimal(2), self_points=Decimal(2), reviewed_points=None, final_points=None
    )
    assert unchanged.lines == () and unchanged.self_points == Decimal(2)


@pytest.mark.django_db
def test_after_an_amendment_the_nomination_poll_and_the_summary_are_made_from_the_new_version(
    settings: Any, tmp_path: Any
) -> None:
    """Two of the 500s the issue saw: creating the nomination poll and issuing the summary both read the
    ranking, which looked scores up by the replaced version's ids."""
    import datetime

    from django.utils import timezone

    from thidua.conferences.services import create_conference, create_nomination_poll
    from thidua.documents import issuing

    settings.MEDIA_ROOT = str(tmp_path)
    settled()
    amendment = agreements.amend(actor=_officer("quang-tri"), agreement=_in_force(), reason="Hạ điểm 1.2")
    the_issues_case(amendment)
    _sign_everywhere(amendment)
    head = _officer("quang-tri")
    conference = create_conference(
        actor=head,
        emulation_year=_year(),
        values={
            "title": "Hội nghị tổng kết năm 2026",
            "starts_at": timezone.now() + datetime.timedelta(days=10),
            "place": "Đông Hà",
            "host": Organization.objects.get(code="lhh-quang-tri"),
        },
    )
    poll = create_nomination_poll(actor=head, conference=conference)
    assert poll.choices.exists()
    summary = issuing.issue(actor=head, kind="summary", conference=conference, with_pdf=False)
    assert summary.docx.read()[:2] == b"PK"


@pytest.mark.django_db
def test_sheets_an_earlier_release_left_on_the_replaced_version_are_carried_by_the_migration() -> None:
    """Before this release an amendment left every sheet behind; the data migration carries them."""
    import importlib

    from django.apps import apps

    from thidua.agreements import amendments

    submitted_and_reviewed()
    amendment = agreements.amend(actor=_officer("quang-tri"), agreement=_in_force(), reason="Hạ điểm 1.2")
    the_issues_case(amendment)
    carriers = list(amendments._carriers)
    amendments._carriers.clear()  # as the earlier release did: nothing moved
    try:
        _sign_everywhere(amendment)
    finally:
        amendments._carriers.extend(carriers)
    assert not Assessment.objects.filter(agreement=amendment).exists()
    migration = importlib.import_module(
        "thidua.assessments.migrations.0006_carry_sheets_left_on_replaced_versions"
    )
    migration.carry_left_behind(apps, None)
    assert set(Assessment.objects.filter(emulation_year=_year()).values_list("agreement", flat=True)) == {
        amendment.pk
    }
    assert set(
        Score.objects.filter(assessment__emulation_year=_year()).values_list(
            "criterion__agreement", flat=True
        )
    ) == {amendment.pk}
    assert Score.history.filter(retired_by=amendment).count() == len(MEMBERS)
    assert not Score.objects.filter(
        assessment__emulation_year=_year(), self_points__gt=3, criterion__code="1.2"
    ).exists()
    assert AmendmentEffect.objects.filter(agreement=amendment).count() == len(MEMBERS)
