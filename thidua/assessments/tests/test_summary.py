"""The ranking summary page of a group's year, on the demo's Cụm 4 2023 (settled and ranked) and 2026
(self-scoring open: Nghệ An, Hà Tĩnh, Huế submitted; Ninh Bình, Quảng Trị drafts; Thanh Hóa not started),
and on a synthesized year of 10 members × 80 criteria for the query budget."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Max
from django.template import Context, Template
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from thidua.accounts.models import User
from thidua.agreements.models import Agreement, AgreementStatus, Criterion, CriterionGroup
from thidua.assessments import rules
from thidua.assessments.models import Assessment, AssessmentStatus, Score
from thidua.assessments.ranking import YearResults, year_results
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.lib.text import vietnamese_sort_key
from thidua.organizations.models import (
    EmulationGroup,
    GroupKind,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationName,
    Regulation,
)
from thidua.organizations.services import record_women_share
from thidua.years.models import EmulationYear, YearStage

D = Decimal
CLUSTER = "vusta-cum-4"


def build_settled_year(
    *, parent: Organization, number: int, year: int, members: int, criteria: int
) -> EmulationYear:
    """A new group of `members` organizations with one settled year of `criteria` criteria (two bonus,
    two penalty, the rest in work areas of ten), every assessment submitted and every score final.

    Written with the models directly, in a handful of bulk inserts, so the big size stays fast; the
    benchmark (bench/summary_bench.py) builds its year with this function too, so it measures the size
    the query-count test asserts on.
    """
    group = EmulationGroup.objects.create(
        parent=parent, kind=GroupKind.CLUSTER, number=number, slug=f"tong-hop-cum-{number}"
    )
    organizations = Organization.objects.bulk_create(
        Organization(code=f"tong-hop-{number}-{i:02d}", kind=OrganizationKind.PROVINCIAL_UNION, parent=parent)
        for i in range(1, members + 1)
    )
    OrganizationName.objects.bulk_create(
        OrganizationName(
            organization=o,
            name=f"Liên hiệp hội thử nghiệm số {i} (cụm {number})",
            short_name=f"Đơn vị {i}",
            valid_from=datetime.date(2000, 1, 1),
        )
        for i, o in enumerate(organizations, start=1)
    )
    Membership.objects.bulk_create(Membership(group=group, organization=o, year=year) for o in organizations)
    emulation_year = EmulationYear.objects.create(group=group, year=year, stage=YearStage.SETTLED)
    agreement = Agreement.objects.create(
        emulation_year=emulation_year,
        status=AgreementStatus.IN_FORCE,
        title=f"Giao ước thi đua năm {year} (thử nghiệm)",
        bonus_cap=D(5),
        penalty_cap=D(5),
        tie_break_group_code="1",
    )
    ordinary = max(criteria - 4, 1)
    per_group = 10
    layout: list[tuple[str, str, list[str]]] = []  # code, title, kinds
    for index in range(0, ordinary, per_group):
        kinds = [rules.Kind.FIXED.value] * min(per_group, ordinary - index)
        layout.append((str(len(layout) + 1), f"Lĩnh vực công tác {len(layout) + 1}", kinds))
    layout.append(("T", "Điểm thưởng", [rules.Kind.BONUS.value] * 2))
    layout.append(("TR", "Điểm trừ", [rules.Kind.PENALTY.value] * 2))
    groups = CriterionGroup.objects.bulk_create(
        CriterionGroup(
            agreement=agreement,
            position=position,
            code=code,
            title=title,
            max_points=D(len(kinds)) * (D("2.5") if kinds[0] != rules.Kind.FIXED else D(1)),
        )
        for position, (code, title, kinds) in enumerate(layout, start=1)
    )
    created = Criterion.objects.bulk_create(
        Criterion(
            agreement=agreement,
            group=group_row,
            position=position,
            code=f"{code}.{position}",
            text=f"Tiêu chí {code}.{position}",
            kind=kind,
            max_points=D(1) if kind == rules.Kind.FIXED else D("2.5"),
        )
        for group_row, (code, _, kinds) in zip(groups, layout, strict=True)
        for position, kind in enumerate(kinds, start=1)
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(
            emulation_year=emulation_year,
            organization=o,
            agreement=agreement,
            status=AssessmentStatus.SUBMITTED,
            submitted_at=datetime.datetime(year, 11, 1, tzinfo=datetime.UTC),
        )
        for o in organizations
    )

    def points(m: int, c: int, criterion: Criterion) -> Decimal:
        share = D((m * 7 + c * 13) % 9) / 8  # 0 … 1, deterministic
        if criterion.kind == rules.Kind.PENALTY:
            share = D(1) if (m + c) % 5 == 0 else D(0)
        return (criterion.max_points * share).quantize(D("0.25"))

    Score.objects.bulk_create(
        Score(
            assessment=a,
            criterion=criterion,
            self_points=points(m, c, criterion),
            final_points=max(points(m, c, criterion) - (D("0.25") if (m + c) % 6 == 0 else 0), D(0)),
        )
        for m, a in enumerate(assessments)
        for c, criterion in enumerate(created)
    )
    return emulation_year


def _url(year: int, slug: str = CLUSTER, **params: str) -> str:
    url = reverse("score_summary:summary", args=[slug, year])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _year(year: int) -> EmulationYear:
    return EmulationYear.objects.get(group__slug=CLUSTER, year=year)


def _names(response: Any) -> list[str]:
    return [row.name for row in response.context["rows"]]


# --- Permissions


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["nghean", "hatinh", "ninhbinh", "quangtri", "vusta"])
def test_members_officers_the_secretariat_and_parent_staff_may_read_the_2026_summary(
    client_for: Callable[[Any], Client], username: str
) -> None:
    response = client_for(_user(username)).get(_url(2026))
    assert response.status_code == 200
    assert "Tổng hợp kết quả chấm điểm năm 2026 — Cụm thi đua số 4" in response.content.decode()


@pytest.mark.django_db
def test_an_officer_of_a_member_of_2023_only_reads_2023_but_not_2026(
    client_for: Callable[[Any], Client],
) -> None:
    client = client_for(_user("quangbinh"))
    assert client.get(_url(2023)).status_code == 200
    assert client.get(_url(2026)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2023, 2026])
def test_an_editor_who_is_no_officer_is_refused_in_vietnamese(
    client_for: Callable[[Any], Client], year: int
) -> None:
    response = client_for(_user("bientap")).get(_url(year))
    assert response.status_code == 403
    assert "Chỉ các đơn vị trong cụm" in response.content.decode()


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login_page(client_for: Callable[[Any], Client]) -> None:
    response = client_for(None).get(_url(2023))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_a_year_the_group_never_had_is_not_found(client_for: Callable[[Any], Client]) -> None:
    assert client_for(_user("vusta")).get(_url(1999)).status_code == 404


# --- Draft secrecy


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["ninhbinh", "quangtri", "nghean", "hatinh", "vusta"])
def test_ninh_binhs_draft_figures_never_appear_for_any_viewer_not_even_its_own_officer(
    client_for: Callable[[Any], Client], username: str
) -> None:
    results = year_results(_year(2026))
    draft = next(m for m in results.members if m.organization.code == "lhh-ninh-binh")
    assert draft.status == AssessmentStatus.DRAFT and draft.self_total is not None
    secret = format_vietnamese_decimal(draft.self_total.total, 2)
    visible = {
        format_vietnamese_decimal(m.self_total.total, 2)
        for m in results.members
        if m.status == AssessmentStatus.SUBMITTED and m.self_total
    }
    assert secret not in visible, "the demo's draft total must be distinctive for this test to mean anything"

    for sort in ["hang", "ten", "tong-tu-cham", "tong-chot"]:
        response = client_for(_user(username)).get(_url(2026, **{"sap-xep": sort}))
        page = response.content.decode()
        assert secret not in page
        assert secret.replace(",", ".") not in page
        row = next(r for r in response.context["rows"] if "Ninh Bình" in r.name)
        assert row.state == "draft" and not row.shows_figures
        # The template gets rows, never the ranking's results, which hold every draft's figures.
        contexts: Any = response.context  # a ContextList: one Context per template rendered
        values = [value for context in contexts for value in context.flatten().values()]
        assert not any(isinstance(value, YearResults) for value in values)
        assert row.total.self_value is None and all(p.self_value is None for p in row.groups)


@pytest.mark.django_db
def test_drafts_read_dang_cham_and_a_member_not_started_reads_chua_cham(
    client_for: Callable[[Any], Client],
) -> None:
    response = client_for(_user("quangtri")).get(_url(2026))
    states = {row.name: row.state_label for row in response.context["rows"]}
    assert states["Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình"] == "Đang chấm"
    assert states["Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Quảng Trị"] == "Đang chấm"
    assert states["Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Thanh Hóa"] == "Chưa chấm"
    page = response.content.decode()
    assert page.count('<td class="state"') == 3
    assert ">Đang chấm</td>" in page and ">Chưa chấm</td>" in page


@pytest.mark.django_db
def test_sorting_by_self_total_ranks_submitted_sheets_and_leaves_drafts_where_they_were(
    client_for: Callable[[Any], Client],
) -> None:
    response = client_for(_user("vusta")).get(_url(2026, **{"sap-xep": "tong-tu-cham"}))
    rows = response.context["rows"]
    submitted = [r for r in rows if r.shows_figures]
    assert [r.total.self_value for r in submitted] == sorted(
        (r.total.self_value for r in submitted), reverse=True
    )
    assert rows[: len(submitted)] == submitted
    # The rest keep the default order (by name, since nobody is ranked): their draft totals play no part.
    rest = rows[len(submitted) :]
    assert [r.position for r in rest] == sorted(r.position for r in rest)


@pytest.mark.django_db
def test_a_submitted_but_unsettled_sheet_shows_self_scores_and_no_final_figure(
    client_for: Callable[[Any], Client],
) -> None:
    response = client_for(_user("nghean")).get(_url(2026))
    row = next(r for r in response.context["rows"] if "Nghệ An" in r.name)
    assert row.state == "submitted"
    assert row.total.self_value == D("93.5") and row.total.final_value is None
    assert "93,50" in response.content.decode()
    assert response.context["chart"].final is False


# --- The settled year


@pytest.mark.django_db
def test_the_2023_summary_lists_every_member_by_rank_with_both_totals_in_vietnamese_notation(
    client_for: Callable[[Any], Client],
) -> None:
    response = client_for(_user("ninhbinh")).get(_url(2023))
    page = response.content.decode()
    rows = response.context["rows"]
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert rows[0].name == "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình"
    assert rows[0].total == type(rows[0].total)(D("94.50"), D("94.00"))
    assert rows[0].band == "Hoàn thành xuất sắc nhiệm vụ"
    for header in ["Xếp hạng", "Đơn vị", "Tự chấm", "Chốt", "Điểm thưởng", "Điểm trừ", "Tổng tự chấm"]:
        assert header in page
    assert "Tổng chốt" in page and "Xếp loại" in page
    assert "94,50" in page and "94,00" in page and "88,25" in page
    # Work areas 1–8 get two columns each; bonus (T) and penalty (TR) are columns of their own.
    assert [c["group"].code for c in response.context["group_columns"]] == [str(i) for i in range(1, 9)]
    assert all(len(r.groups) == 8 for r in rows)


@pytest.mark.django_db
def test_each_member_is_named_as_it_was_that_year(client_for: Callable[[Any], Client]) -> None:
    page_2023 = client_for(_user("vusta")).get(_url(2023)).content.decode()
    page_2026 = client_for(_user("vusta")).get(_url(2026)).content.decode()
    assert "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Thừa Thiên Huế" in page_2023
    assert "thành phố Huế" not in page_2023
    assert "Liên hiệp các Hội Khoa học và Kỹ thuật thành phố Huế" in page_2026


@pytest.mark.django_db
def test_bands_and_tie_break_are_explained_with_their_sources(client_for: Callable[[Any], Client]) -> None:
    response = client_for(_user("vusta")).get(_url(2023))
    page = response.content.decode()
    regulation = response.context["regulation"]
    # Cited as official text may cite them: the regulation, never the staff's marks and notes (issue 15).
    assert f"Căn cứ: {regulation.title} ({regulation.citation})" in page
    assert "[L]" not in page and "[M]" not in page and "[H]" not in page
    assert "Hoàn thành xuất sắc nhiệm vụ</strong>: từ 90% tổng điểm tối đa" in page
    # The agreement's tie-break work area, by its title, as a step and as the source.
    assert "Điểm chốt nhóm tiêu chí 3. Tư vấn, phản biện và giám định xã hội cao hơn" in page
    assert "Nhóm tiêu chí xét khi bằng điểm theo giao ước: 3. Tư vấn, phản biện và giám định xã hội" in page
    assert "Ít điểm trừ hơn" in page


@pytest.mark.django_db
def test_members_still_tied_after_every_step_are_flagged_for_the_conference_vote(
    client_for: Callable[[Any], Client],
) -> None:
    emulation_year = _year(2023)
    # Make Hà Tĩnh's settled scores exactly Nghệ An's: same total, same work area 3, same penalty.
    nghe_an = {
        s.criterion_id: s.final_points
        for s in Score.objects.filter(
            assessment__emulation_year=emulation_year, assessment__organization__code="lhh-nghe-an"
        )
    }
    for score in Score.objects.filter(
        assessment__emulation_year=emulation_year, assessment__organization__code="lhh-ha-tinh"
    ):
        score.final_points = nghe_an[score.criterion_id]
        score.save(update_fields=["final_points"])

    response = client_for(_user("ninhbinh")).get(_url(2023))
    page = response.content.decode()
    tied = [r for r in response.context["rows"] if r.tied]
    assert sorted(r.name.rsplit("tỉnh ", 1)[1] for r in tied) == ["Hà Tĩnh", "Nghệ An"]
    assert tied[0].rank == tied[1].rank
    assert (
        page.count('<span class="badge tie-flag">Bằng điểm — hội nghị bỏ phiếu</span>') == 3
    )  # 2 rows + note
    assert "hội nghị tổng kết bỏ phiếu quyết định thứ hạng" in page


def _tie_ha_tinh_with_nghe_an(order: list[str], shares: dict[str, str]) -> None:
    """Hà Tĩnh's 2023 settled scores made exactly Nghệ An's (total, work area 3, penalty), the 2023
    regulation's tie-break order set to `order`, and the 2023 shares of women recorded (code → percent)."""
    emulation_year = _year(2023)
    nghe_an = {
        s.criterion_id: s.final_points
        for s in Score.objects.filter(
            assessment__emulation_year=emulation_year, assessment__organization__code="lhh-nghe-an"
        )
    }
    for score in Score.objects.filter(
        assessment__emulation_year=emulation_year, assessment__organization__code="lhh-ha-tinh"
    ):
        score.final_points = nghe_an[score.criterion_id]
        score.save(update_fields=["final_points"])
    regulation = Regulation.objects.in_force(emulation_year.group.parent, 2023)
    assert regulation is not None
    Regulation.objects.filter(pk=regulation.pk).update(tie_break_order=order)
    for code, percent in shares.items():
        record_women_share(
            actor=_user("vusta"),
            organization=Organization.objects.get(code=code),
            year=2023,
            percent=D(percent),
            source="Báo cáo số lượng cán bộ năm 2023 (dữ liệu minh họa)",
        )


@pytest.mark.django_db
def test_a_regulation_putting_the_women_share_first_ranks_the_tied_member_with_70_percent_women_higher(
    client_for: Callable[[Any], Client],
) -> None:
    _tie_ha_tinh_with_nghe_an(
        ["final_score", "women_share", "runoff", "refer_parent"], {"lhh-ha-tinh": "72.5", "lhh-nghe-an": "40"}
    )
    response = client_for(_user("ninhbinh")).get(_url(2023))
    rows = {r.name.rsplit("tỉnh ", 1)[1]: r for r in response.context["rows"]}
    assert rows["Hà Tĩnh"].rank == rows["Nghệ An"].rank - 1
    assert not response.context["has_ties"]
    page = response.content.decode()
    assert "Hà Tĩnh được ưu tiên" in page and "(72,5%)" in page
    assert "NĐ 152/2025/NĐ-CP, Điều 4 khoản 6" in page
    assert "Các trường hợp bằng tổng điểm năm 2023" in page


@pytest.mark.django_db
def test_members_a_regulation_refers_to_the_parent_body_are_flagged_so(
    client_for: Callable[[Any], Client],
) -> None:
    _tie_ha_tinh_with_nghe_an(["final_score", "refer_parent"], {})
    response = client_for(_user("ninhbinh")).get(_url(2023))
    tied = [r for r in response.context["rows"] if r.tied]
    assert len(tied) == 2 and tied[0].rank == tied[1].rank
    assert {r.tie_label for r in tied} == {"Bằng điểm — đề nghị cấp trên xem xét"}
    page = response.content.decode()
    assert page.count('<span class="badge tie-flag">Bằng điểm — đề nghị cấp trên xem xét</span>') == 3
    assert "cơ quan cấp trên quyết định" in page


@pytest.mark.django_db
def test_no_tie_flag_where_the_ranking_settled_every_place(client_for: Callable[[Any], Client]) -> None:
    response = client_for(_user("vusta")).get(_url(2023))
    assert not response.context["has_ties"]
    assert 'class="badge tie-flag"' not in response.content.decode()


# --- Sorting


@pytest.mark.django_db
def test_column_headers_link_to_server_side_sorts(client_for: Callable[[Any], Client]) -> None:
    page = client_for(_user("vusta")).get(_url(2023)).content.decode()
    for key in ["hang", "ten", "tong-tu-cham", "tong-chot", "nhom-1", "nhom-8"]:
        assert f'href="?sap-xep={key}"' in page
    assert "<script" not in page
    assert "onclick" not in page


@pytest.mark.django_db
def test_sorting_by_name_follows_vietnamese_alphabetical_order(client_for: Callable[[Any], Client]) -> None:
    response = client_for(_user("vusta")).get(_url(2023, **{"sap-xep": "ten"}))
    names = _names(response)
    assert names == sorted(names, key=vietnamese_sort_key)
    assert names[0].endswith("Hà Tĩnh") and names[-1].endswith("Thừa Thiên Huế")
    assert 'aria-sort="ascending"><a href="?sap-xep=ten"' in response.content.decode()


@pytest.mark.django_db
def test_sorting_by_a_work_areas_final_puts_the_highest_first(client_for: Callable[[Any], Client]) -> None:
    response = client_for(_user("vusta")).get(_url(2023, **{"sap-xep": "nhom-3"}))
    index = [c["group"].code for c in response.context["group_columns"]].index("3")
    values = [r.groups[index].final_value for r in response.context["rows"]]
    assert values == sorted(values, reverse=True)
    assert response.context["sort"] == "nhom-3"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key", ["", "rank", "nhom-T", "nhom-99", "-tong-chot", "name", "__class__", "organization__name"]
)
def test_an_unknown_sort_key_falls_back_to_the_rank_order(
    client_for: Callable[[Any], Client], key: str
) -> None:
    client = client_for(_user("vusta"))
    default = _names(client.get(_url(2023)))
    response = client.get(_url(2023, **{"sap-xep": key}))
    assert response.status_code == 200
    assert response.context["sort"] == "hang"
    assert _names(response) == default


# --- Chart, print, export link


@pytest.mark.django_db
@pytest.mark.parametrize(("year", "members"), [(2023, 7), (2026, 6)])
def test_the_bar_chart_is_inline_svg_with_one_labelled_bar_per_member(
    client_for: Callable[[Any], Client], year: int, members: int
) -> None:
    page = client_for(_user("vusta")).get(_url(year)).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    bars = re.findall(r'<g class="bar" role="img" aria-label="([^"]+)">\s*<title>([^<]+)</title>', svg)
    assert len(bars) == members
    assert svg.count("<rect") == members
    assert all(label == title for label, title in bars)
    if year == 2023:
        # Final totals, scaled to the maximum (100) plus the bonus cap (5): 94 of 105 over 410 units.
        assert bars[0][0] == "Liên hiệp hội tỉnh Ninh Bình: 94,00 điểm"
        assert 'width="367.0"' in svg
    else:
        labels = [label for label, _ in bars]
        assert "Liên hiệp hội tỉnh Ninh Bình: Đang chấm" in labels
        assert "Liên hiệp hội tỉnh Thanh Hóa: Chưa chấm" in labels


@pytest.mark.django_db
def test_the_print_view_is_the_same_page_marked_for_print(client_for: Callable[[Any], Client]) -> None:
    client = client_for(_user("vusta"))
    screen = client.get(_url(2023, **{"sap-xep": "ten"})).content.decode()
    assert 'href="?sap-xep=ten&amp;in=1">In</a>' in screen
    printed = client.get(_url(2023, **{"sap-xep": "ten", "in": "1"}))
    page = printed.content.decode()
    assert '<div class="summary-page print">' in page
    assert _names(printed) == sorted(_names(printed), key=vietnamese_sort_key)
    assert 'href="?sap-xep=tong-chot&amp;in=1"' in page  # sorting stays in print mode
    assert "<script" not in page


@pytest.mark.django_db
def test_the_excel_export_is_linked_only_where_its_url_exists(client_for: Callable[[Any], Client]) -> None:
    try:
        expected: str | None = reverse("score_excel:summary", args=[CLUSTER, 2023])
    except NoReverseMatch:
        expected = None
    response = client_for(_user("vusta")).get(_url(2023))
    assert response.context["excel_url"] == expected
    assert ("Tải bảng tổng hợp (Excel)" in response.content.decode()) is (expected is not None)


# --- Query budget


@pytest.mark.django_db
def test_the_page_runs_the_same_number_of_queries_for_7_members_and_for_10_members_by_80_criteria(
    client_for: Callable[[Any], Client], cold_queries: Any
) -> None:
    vusta = Organization.objects.get(code="vusta")
    number = (EmulationGroup.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    big = build_settled_year(parent=vusta, number=number, year=2027, members=10, criteria=80)
    client = client_for(_user("vusta"))

    small_results, big_results = year_results(_year(2023)), year_results(big)
    assert small_results.all_settled and big_results.all_settled, "both sizes must be in the same state"
    assert len(big_results.members) == 10
    assert Criterion.objects.filter(agreement=big_results.agreement).count() == 80

    with cold_queries() as small:
        small_response = client.get(_url(2023))
    with cold_queries() as large:
        large_response = client.get(_url(2027, slug=big.group.slug))
    assert small_response.status_code == large_response.status_code == 200
    assert len(large_response.context["rows"]) == 10
    assert large_response.content.decode().count('<g class="bar"') == 10
    assert len(small) == len(large), "\n".join(q["sql"] for q in large.captured_queries)
    assert len(small) <= 15


@pytest.mark.django_db
@override_settings(SHARED_CACHE=True)
def test_a_repeated_view_of_an_unchanged_year_reads_only_the_data_version_and_the_session(
    client_for: Callable[[Any], Client],
) -> None:
    client = client_for(_user("vusta"))
    assert client.get(_url(2023)).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        response = client.get(_url(2023))
    assert response.status_code == 200 and response.content.decode().count('<g class="bar"') == 7
    tables = " ".join(q["sql"] for q in warm.captured_queries)
    assert "audit_auditchainhead" in tables
    for table in ("accounts_user", "accounts_role", "years_emulationyear", "assessments_score"):
        assert table not in tables
    # The session is the other one where sessions live in the database only (no Redis configured).
    assert len(warm) <= 2, tables


# --- The template filter


@pytest.mark.parametrize(
    ("value", "arg", "expected"),
    [
        (D("94.5"), None, "94,50"),
        (D("1234.5"), None, "1.234,50"),
        (D("-0.001"), None, "0,00"),
        (D("7.25"), 1, "7,3"),
        (90, 0, "90"),
        (None, None, "—"),
    ],
)
def test_vn_decimal_writes_numbers_the_vietnamese_way(value: Any, arg: int | None, expected: str) -> None:
    source = "{% load vn_numbers %}{{ value|vn_decimal" + (f":{arg}" if arg is not None else "") + " }}"
    assert Template(source).render(Context({"value": value})) == expected


def test_vn_decimal_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        Template("{% load vn_numbers %}{{ value|vn_decimal }}").render(Context({"value": 7.1}))


@pytest.mark.django_db
def test_a_second_view_is_served_from_the_cache_and_any_change_redraws_it(client_for: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thidua.accounts.models import User
    from thidua.assessments import services
    from thidua.assessments.models import Assessment

    client = client_for(User.objects.get(username="quangtri"))
    url = "/nam-thi-dua/vusta-cum-4/2026/tong-hop/"
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        page = client.get(url).content.decode()
    assert len(second) < len(first)
    nghe_an = Assessment.objects.get(emulation_year__year=2026, organization__code="lhh-nghe-an")
    assert "Nghệ An" in page
    shown_before = page.count("Đang chấm")
    # Nghệ An is reopened: from now on its figures are a draft again and must vanish from the page.
    services.reopen(actor=User.objects.get(username="quangtri"), assessment=nghe_an, reason="Bổ sung")
    page = client.get(url).content.decode()
    assert page.count("Đang chấm") > shown_before
