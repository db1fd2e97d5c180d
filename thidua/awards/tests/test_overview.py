"""The parent body's overview for its staff (issue 16): every group of a year with its stage, deadlines and
what is late, filtered, searched without diacritics and paged; the dossiers, the council's sittings and
the decisions; the statistics with their workbook; the award history, public for issued decisions. Each
page runs the same queries at two data sizes."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from thidua.accounts.models import Role, RoleKind, User
from thidua.audit.models import AuditEvent
from thidua.awards import parent_views
from thidua.awards.excel import HEADER_ROW, STATISTICS_SHEETS
from thidua.awards.models import Award, Dossier
from thidua.awards.parent_views import PER_PAGE
from thidua.awards.tests.overview_data import add_groups
from thidua.lib.text import fold
from thidua.organizations.models import EmulationGroup, Organization, OrganizationKind, OrganizationName
from thidua.years.models import EmulationYear, YearStage
from thidua.years.selectors import GroupFilters, group_year_row, groups_of_year
from thidua.years.services import set_deadlines

pytestmark = pytest.mark.django_db
BASE = "/cap-tren/vusta"
YEAR = 2026
STAFF_PAGES = [
    f"{BASE}/tong-quan/{YEAR}/",
    f"{BASE}/tong-quan/{YEAR}/ho-so/",
    f"{BASE}/tong-quan/{YEAR}/hoi-dong/",
    f"{BASE}/tong-quan/{YEAR}/quyet-dinh/",
    f"{BASE}/tong-quan/{YEAR}/thong-ke/",
    f"{BASE}/tong-quan/2023/thong-ke.xlsx",
]
HISTORY = f"{BASE}/lich-su-khen-thuong/"
GROUP_ROW = re.compile(r'<tr class="group-row( late)?">\s*<th scope="row"><a href="[^"]+">([^<]+)</a>')


def _other_parents_staff() -> User:
    other = Organization.objects.create(code="co-quan-khac", kind=OrganizationKind.PARENT_BODY)
    OrganizationName.objects.create(
        organization=other, name="Cơ quan cấp trên khác", valid_from=datetime.date(2000, 1, 1)
    )
    user = User.objects.create_user("canbo-khac", password="x")
    Role.objects.create(user=user, kind=RoleKind.PARENT_STAFF, organization=other)
    return user


def _groups(client: Client, path: str = f"{BASE}/tong-quan/{YEAR}/", **params: str) -> list[tuple[bool, str]]:
    page = client.get(path, params)
    assert page.status_code == 200
    return [(bool(late), title) for late, title in GROUP_ROW.findall(page.content.decode())]


def _difference(small: Any, large: Any) -> str:
    def shape(query: dict[str, str]) -> str:
        return re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"])[:200]

    return "\n".join(
        sorted({shape(q) for q in large.captured_queries} ^ {shape(q) for q in small.captured_queries})
    )


# --- Who sees what


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_only_the_parent_bodys_own_staff_open_the_overview_pages(
    client_for: Callable[[Any], Client],
    staff: User,
    officer_ninh_binh: User,
    editor: User,
    path: str,
) -> None:
    anonymous = client_for(None).get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/tai-khoan/dang-nhap/")
    for user in (officer_ninh_binh, editor):
        refused = client_for(user).get(path)
        assert refused.status_code == 403, user.username
        vusta_name = Organization.objects.get(code="vusta").current_name
        assert f"Chỉ cán bộ của {vusta_name} được xem trang này." in refused.content.decode()
    # Another parent body's staff are staff: they are told whose page this is and whose staff they are.
    refused = client_for(_other_parents_staff()).get(path)
    assert refused.status_code == 403
    vusta = Organization.objects.get(code="vusta").current_name
    assert (
        f"Trang này chỉ dành cho cán bộ của {vusta}. Tài khoản của bạn thuộc Cơ quan cấp trên khác."
        in refused.content.decode()
    )
    assert "được xem trang này." not in refused.content.decode()
    assert client_for(staff).get(path).status_code == 200


def test_an_unknown_parent_body_or_an_impossible_year_is_not_found(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    client = client_for(staff)
    assert client.get("/cap-tren/khong-co/tong-quan/2026/").status_code == 404
    assert client.get(f"{BASE}/tong-quan/1800/").status_code == 404
    assert client.get(f"{BASE}/tong-quan/{timezone.localdate().year + 5}/").status_code == 404


def test_the_home_page_leads_the_parent_bodys_staff_to_this_years_overview(
    client_for: Callable[[Any], Client], staff: User, officer_ninh_binh: User
) -> None:
    this_year = timezone.localdate().year
    link = f'href="{BASE}/tong-quan/{this_year}/"'
    assert link in client_for(staff).get("/").content.decode()
    assert link not in client_for(officer_ninh_binh).get("/").content.decode()
    assert link in client_for(staff).get(f"{BASE}/ho-so-khen-thuong/").content.decode()


# --- The groups of a year


def test_every_group_of_the_year_is_listed_with_its_stage_head_and_dossier(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    page = client_for(staff).get(f"{BASE}/tong-quan/2023/").content.decode()
    assert "Cụm thi đua số 4" in page and "Đã tổng kết" in page
    assert "Liên hiệp hội tỉnh Ninh Bình" in page  # the head of 2023, by its short name
    assert "Đã có quyết định khen thưởng" in page
    # A group with members that year and no year opened is listed as such, not left out.
    assert "Cụm thi đua số 9" in page and "Chưa mở năm thi đua" in page


def test_a_year_is_late_when_its_stages_deadline_has_passed_and_says_what_is_late(
    client_for: Callable[[Any], Client], staff: User, cluster4: EmulationGroup
) -> None:
    today = timezone.localdate()
    year = EmulationYear.objects.get(group=cluster4, year=YEAR)
    year.stage = YearStage.SELF_SCORING
    year.signing_due = today - datetime.timedelta(days=300)  # a stage already past: not late
    year.self_scoring_due = today - datetime.timedelta(days=1)
    year.review_due = today + datetime.timedelta(days=10)
    year.save()
    client = client_for(staff)
    page = client.get(f"{BASE}/tong-quan/{YEAR}/").content.decode()
    row = page[page.index('<tr class="group-row late">') :]
    row = row[: row.index("</tr>")]
    assert f"Tự chấm điểm (hạn {year.self_scoring_due:%d/%m/%Y})" in row
    assert "Ký giao ước" not in row
    assert f"{year.self_scoring_due:%d/%m/%Y}" in row  # its next deadline is the one it is late for
    assert _groups(client, tre_han="on") == [(True, "Cụm thi đua số 4")]

    # Due today is not late yet. Changed through the service, as in use: its audit event moves the data
    # version that the kept page is keyed on (with the day), so the page is drawn again.
    set_deadlines(actor=staff, emulation_year=year, deadlines={"self_scoring_due": today})
    assert _groups(client, tre_han="on") == []
    page = client.get(f"{BASE}/tong-quan/{YEAR}/").content.decode()
    assert 'class="group-row late"' not in page and f"{today:%d/%m/%Y}" in page


def test_the_overview_is_kept_for_the_day_and_a_deadline_of_today_shows_late_the_next_day(
    client_for: Callable[[Any], Client],
    staff: User,
    cluster4: EmulationGroup,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    today = timezone.localdate()
    EmulationYear.objects.filter(group=cluster4, year=YEAR).update(
        stage=YearStage.SELF_SCORING, signing_due=None, self_scoring_due=today, review_due=None
    )
    path = f"{BASE}/tong-quan/{YEAR}/"
    with override_settings(SHARED_CACHE=True):
        client = client_for(staff)
        client.get(path)  # the first visit sets the CSRF cookie; from the next one the page is kept
        assert (False, "Cụm thi đua số 4") in _groups(client)
        with CaptureQueriesContext(connection) as kept:
            assert (False, "Cụm thi đua số 4") in _groups(client)
        assert not [q for q in kept.captured_queries if "years_emulationyear" in q["sql"]]

        tomorrow = today + datetime.timedelta(days=1)
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
        assert (True, "Cụm thi đua số 4") in _groups(client)


def test_the_databases_late_filter_agrees_with_the_years_own_stage_page_at_every_stage(
    cluster4: EmulationGroup,
) -> None:
    add_groups(2 * len(YearStage.values), year=YEAR, late_every=2)
    today = timezone.localdate()
    everyone = groups_of_year(parent_id=cluster4.parent_id, year=YEAR, today=today)
    late = set(
        groups_of_year(
            parent_id=cluster4.parent_id, year=YEAR, today=today, filters=GroupFilters(late_only=True)
        ).values_list("pk", flat=True)
    )
    seen = {(group_year_row(g, year=YEAR, today=today).stage, g.pk in late) for g in everyone}
    for group in everyone:
        assert (group.pk in late) == bool(group_year_row(group, year=YEAR, today=today).late), group
    # Every stage was seen late and on time, except the closed year, which is never late.
    stages = {stage for stage, _ in seen}
    assert {s for s in stages if s is not None} == set(YearStage)
    assert {(s, is_late) for s, is_late in seen if s is not None and s != YearStage.CLOSED} == {
        (s, flag) for s in YearStage if s != YearStage.CLOSED for flag in (True, False)
    }


def test_the_counts_at_the_top_give_every_stage_the_late_and_the_years_not_opened(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    add_groups(9, year=YEAR, late_every=3)
    page = client_for(staff).get(f"{BASE}/tong-quan/{YEAR}/").content.decode()
    counts = dict(re.findall(r'<li><a href="\?[^"]+">([^<]+)</a>: <strong>(\d+)</strong></li>', page))
    # Cụm 4 self-scores in 2026; the nine test groups stand one at each stage.
    assert counts["Tự chấm điểm"] == "2" and counts["Soạn giao ước"] == "1" and counts["Đã tổng kết"] == "1"
    # Late: groups 0, 3 and 6 (drafting, self-scoring, conference) have every deadline long past.
    late_demo = (
        1
        if EmulationYear.objects.filter(
            group__slug="vusta-cum-4", year=YEAR, self_scoring_due__lt=timezone.localdate()
        ).exists()
        else 0
    )
    assert counts["Trễ hạn"] == str(3 + late_demo)
    assert sum(int(v) for k, v in counts.items() if k != "Trễ hạn") == 10 + int(counts["Chưa mở năm thi đua"])


def test_the_staff_are_told_how_many_groups_are_late_with_a_link_to_the_list(
    client_for: Callable[[Any], Client], staff: User, officer_ninh_binh: User
) -> None:
    add_groups(9, year=YEAR, late_every=3)
    client = client_for(staff)
    late = _groups(client, tre_han="1")
    assert late and all(is_late for is_late, _ in late)
    home = client.get("/").content.decode()
    link = f'href="{BASE}/tong-quan/{YEAR}/?tre_han=1"'
    assert f"{len(late)} cụm, khối trễ hạn năm {YEAR}" in home and link in home
    # A member's officer is told of their own work, not of the parent body's late groups.
    assert "trễ hạn năm" not in client_for(officer_ninh_binh).get("/").content.decode()


def test_filters_narrow_the_list_by_kind_and_stage(client_for: Callable[[Any], Client], staff: User) -> None:
    add_groups(9, year=YEAR)
    client = client_for(staff)
    blocks = _groups(client, loai="khoi")
    assert blocks and all(title.startswith("Khối thi đua") for _, title in blocks)
    clusters = _groups(client, loai="cum")
    assert clusters and all(title.startswith("Cụm thi đua") for _, title in clusters)
    assert len(blocks) + len(clusters) == len(_groups(client))
    assert _groups(client, giai_doan="dossier") == [(False, "Cụm thi đua số 107")]
    assert _groups(client, giai_doan="self_scoring", q="dong a") == [(True, "Cụm thi đua số 103")]
    assert _groups(client, giai_doan="self_scoring", loai="khoi") == []


def test_an_unknown_filter_value_is_said_in_vietnamese_and_left_out(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    client = client_for(staff)
    page = client.get(f"{BASE}/tong-quan/{YEAR}/", {"giai_doan": "bay-bong"}).content.decode()
    assert "Giai đoạn:" in page and "Bộ lọc này đã được bỏ qua." in page
    assert "Cụm thi đua số 4" in page


def test_a_search_without_diacritics_finds_a_group_by_a_members_name_or_its_own_title(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    add_groups(3, year=YEAR)
    client = client_for(staff)

    def titles(query: str) -> list[str]:
        return [title for _, title in _groups(client, q=query)]

    assert titles("ninh binh") == titles("Ninh Bình") == ["Cụm thi đua số 4"]
    # The caption speaks of a filter only when there is one.
    assert (
        "cụm, khối khớp bộ lọc."
        in client.get(f"{BASE}/tong-quan/{YEAR}/", {"q": "ninh binh"}).content.decode()
    )
    assert "khớp bộ lọc." not in client.get(f"{BASE}/tong-quan/{YEAR}/").content.decode()
    assert titles("dong a so 101") == ["Cụm thi đua số 101"]
    assert titles("khoi thi dua") == ["Khối thi đua số 100", "Khối thi đua số 102"]
    assert titles("cum so 4") == ["Cụm thi đua số 4"]
    assert titles("khong co ai") == []
    # Words from two different members do not make a match.
    assert titles("ninh binh nghe an") == []
    # A number is a whole word of the title: "so 10" is none of 100, 101 and 102.
    assert titles("so 10") == []
    assert titles("so 101") == ["Cụm thi đua số 101"]
    # A word begins a word of a name: "inh" is inside "Ninh Bình", and finds nothing.
    assert titles("inh") == []


def test_a_search_lists_titles_holding_the_words_as_typed_then_members_names_then_the_rest(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    # A walk of the national demo: "ha tinh" matched most groups ("tỉnh" is in most units' names) and
    # listed them in number order, the groups named for Hà Tĩnh scattered among them.
    member, titled, spread = add_groups(3, year=YEAR, start=300)
    EmulationGroup.objects.filter(pk=titled.pk).update(nickname="Đông Á")
    Organization.objects.filter(code="thu-nghiem-302").update(
        search_text=fold("Đông hội thử nghiệm Á số 302")
    )
    mine = {g.title for g in EmulationGroup.objects.filter(pk__in=[spread.pk, member.pk, titled.pk])}
    found = [title for _, title in _groups(client_for(staff), q="dong a") if title in mine]
    assert found == [
        EmulationGroup.objects.get(pk=titled.pk).title,
        member.title,
        spread.title,
    ]


def test_the_groups_come_fifty_a_page_and_the_links_keep_the_filters(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    add_groups(2 * PER_PAGE + 20, year=YEAR)
    client = client_for(staff)
    first = _groups(client, loai="khoi")
    second = _groups(client, loai="khoi", trang="2")
    total = EmulationGroup.objects.filter(kind="block", years__year=YEAR).count()
    assert len(first) == PER_PAGE and len(second) == total - PER_PAGE
    assert not {t for _, t in first} & {t for _, t in second}
    page = client.get(f"{BASE}/tong-quan/{YEAR}/", {"loai": "khoi"}).content.decode()
    assert "loai=khoi&amp;trang=2" in page and "Trang 1/2" in page


# --- Dossiers, council, decisions


def test_the_dossiers_received_are_listed_with_their_state_and_filtered_by_it(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    client = client_for(staff)
    page = client.get(f"{BASE}/tong-quan/2023/ho-so/").content.decode()
    assert "Cụm thi đua số 4" in page and "123/QĐ-LHHVN ngày 28/12/2023" in page
    assert "Đã có quyết định khen thưởng" in page
    waiting = client.get(f"{BASE}/tong-quan/2023/ho-so/", {"trang_thai": "cho-hoi-dong"}).content.decode()
    assert 'class="dossier-row"' not in waiting and "ở trạng thái này" in waiting


def test_the_councils_sittings_and_the_decisions_of_the_year_are_listed(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    client = client_for(staff)
    council = client.get(f"{BASE}/tong-quan/2023/hoi-dong/").content.decode()
    assert re.search(
        r'<tr class="session-row"><td>26/12/2023</td><td>1</td><td>1</td><td>1</td><td>11</td>', council
    )
    assert "9 / 11" in council
    decisions = client.get(f"{BASE}/tong-quan/2023/quyet-dinh/").content.decode()
    assert '<th scope="row">123/QĐ-LHHVN</th><td>28/12/2023</td>' in decisions


DOSSIER_GROUP = re.compile(r'<tr class="dossier-row">\s*<th scope="row"><a href="[^"]+">([^<]+)</a>')


def test_the_dossiers_are_searched_by_group_title_or_sending_organization_without_diacritics(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    # Four decided dossiers: Khối 208 and 216, Cụm 207 and 217, each sent by its head "Hội thử nghiệm
    # Đông Á số N".
    add_groups(18, year=YEAR, start=200)
    client = client_for(staff)

    def titles(query: str, **params: str) -> list[str]:
        page = client.get(f"{BASE}/tong-quan/{YEAR}/ho-so/", {"q": query, **params})
        assert page.status_code == 200
        return DOSSIER_GROUP.findall(page.content.decode())

    assert titles("dong a so 208") == titles("Đông Á số 208") == ["Khối thi đua số 208"]
    assert titles("khoi so 216") == ["Khối thi đua số 216"]
    assert titles("cum thi dua") == ["Cụm thi đua số 207", "Cụm thi đua số 217"]
    assert len(titles("thu nghiem")) == 4
    # The sender a search may find is shown beside its group.
    page = client.get(f"{BASE}/tong-quan/{YEAR}/ho-so/", {"q": "dong a so 208"}).content.decode()
    assert "Đơn vị gửi: Hội thử nghiệm Đông Á số 208" in page
    # A number is a whole word, a word begins a word, and words from the title and the name do not mix.
    assert titles("so 20") == titles("ong a") == titles("ghiem") == titles("khoi dong a") == []
    assert titles("thu nghiem", trang_thai="cho-hoi-dong") == []
    assert (
        "Không có hồ sơ nào khớp từ tìm kiếm"
        in client.get(f"{BASE}/tong-quan/{YEAR}/ho-so/", {"q": "khong co ai"}).content.decode()
    )


def _two_pages(client: Client, path: str, rows: re.Pattern[str], query: str) -> tuple[list[str], list[str]]:
    """The rows of a search's first and second page; the first page's link to the next keeps the search."""
    first = client.get(path, {"q": query}).content.decode()
    second = client.get(path, {"q": query, "trang": "2"}).content.decode()
    assert f"{urlencode({'q': query})}&amp;trang=2" in first and "Trang 1/2" in first
    return rows.findall(first), rows.findall(second)


def test_the_searched_dossiers_and_decisions_are_paged_with_the_search_kept_in_the_links(
    client_for: Callable[[Any], Client], staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parent_views, "PER_PAGE", 2)
    # Six decided dossiers: Khối 208, 216 and 226, Cụm 207, 217 and 225.
    add_groups(27, year=YEAR, start=200)
    client = client_for(staff)
    assert _two_pages(client, f"{BASE}/tong-quan/{YEAR}/ho-so/", DOSSIER_GROUP, "khoi") == (
        ["Khối thi đua số 208", "Khối thi đua số 216"],
        ["Khối thi đua số 226"],
    )
    for i, dossier in enumerate(Dossier.objects.filter(emulation_year__year=YEAR).order_by("pk")):
        suffix = "TN" if i % 2 else "KT"
        Dossier.objects.filter(pk=dossier.pk).update(decision_number=f"{i + 1}/QĐ-{suffix}")
    assert _two_pages(client, f"{BASE}/tong-quan/{YEAR}/quyet-dinh/", DECISION_NUMBER, "qd tn") == (
        ["2/QĐ-TN", "4/QĐ-TN"],
        ["6/QĐ-TN"],
    )


def test_the_decisions_are_searched_by_number_note_or_an_awarded_organization(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    add_groups(18, year=YEAR, start=200)
    dossiers = list(Dossier.objects.filter(emulation_year__year=YEAR).order_by("pk"))
    decided = [
        ("10/QĐ-LHHVN", ""),
        ("2/QĐ-LHHVN", "Tặng bằng khen năm 2026"),
        ("25/QĐ-TĐKT", ""),
        ("2/QĐ-LHHVN", ""),  # one decision for two groups' dossiers
    ]
    for dossier, (number, note) in zip(dossiers, decided, strict=True):
        Dossier.objects.filter(pk=dossier.pk).update(decision_number=number, decision_note=note)
    awarded_216 = dossiers[2].awards.get().organization  # the head of Khối 216: 25/QĐ-TĐKT
    awarded_217 = dossiers[3].awards.get().organization  # the head of Cụm 217: 2/QĐ-LHHVN
    assert (awarded_216.current_name, awarded_217.current_name) == (
        "Hội thử nghiệm Đông Á số 216",
        "Hội thử nghiệm Đông Á số 217",
    )
    client = client_for(staff)

    def numbers(query: str) -> list[str]:
        page = client.get(f"{BASE}/tong-quan/{YEAR}/quyet-dinh/", {"q": query})
        assert page.status_code == 200
        return DECISION_NUMBER.findall(page.content.decode())

    assert numbers("2") == numbers("2/qđ") == numbers("2/QD-LHHVN") == ["2/QĐ-LHHVN"]
    assert numbers("qd-tdkt") == numbers("25/QĐ-TĐKT") == numbers("tdkt") == ["25/QĐ-TĐKT"]
    assert numbers("lhhvn") == ["2/QĐ-LHHVN", "10/QĐ-LHHVN"]
    assert numbers("bang khen") == ["2/QĐ-LHHVN"]
    assert numbers("dong a so 216") == ["25/QĐ-TĐKT"]
    assert numbers("thu nghiem") == ["2/QĐ-LHHVN", "10/QĐ-LHHVN", "25/QĐ-TĐKT"]
    # Whole numbers, words that begin words, and every word in one place.
    assert numbers("1") == numbers("hhvn") == numbers("10 tdkt") == numbers("khen 216") == []
    # Found by one of its organizations, a decision still counts all its dossiers and awards.
    page = client.get(f"{BASE}/tong-quan/{YEAR}/quyet-dinh/", {"q": "Đông Á số 217"}).content.decode()
    assert re.search(r"<th scope=\"row\">2/QĐ-LHHVN</th>.*?<td>2</td><td>2</td>\s*</tr>", page, re.S)
    assert (
        "Không có quyết định nào khớp từ tìm kiếm."
        in client.get(f"{BASE}/tong-quan/{YEAR}/quyet-dinh/", {"q": "khong co"}).content.decode()
    )


DECISION_NUMBER = re.compile(r'<tr class="decision-row">\s*<th scope="row">([^<]+)</th>')


def test_decisions_come_latest_day_first_then_in_the_order_of_their_numbers_not_as_text(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    add_groups(18, year=YEAR, start=200)
    dossiers = list(Dossier.objects.filter(emulation_year__year=YEAR, status="decided").order_by("pk"))
    numbered = [
        ("10/QĐ-TN", datetime.date(YEAR, 12, 28)),
        ("QĐ-TN không số", datetime.date(YEAR, 12, 28)),
        ("2/QĐ-TN", datetime.date(YEAR, 12, 28)),
        ("9/QĐ-TN", datetime.date(YEAR, 12, 30)),
    ]
    assert len(dossiers) == len(numbered)
    for dossier, (number, day) in zip(dossiers, numbered, strict=True):
        Dossier.objects.filter(pk=dossier.pk).update(decision_number=number, decision_date=day)
    page = client_for(staff).get(f"{BASE}/tong-quan/{YEAR}/quyet-dinh/").content.decode()
    assert DECISION_NUMBER.findall(page) == ["9/QĐ-TN", "2/QĐ-TN", "10/QĐ-TN", "QĐ-TN không số"]


# --- The award history


def test_the_public_award_history_hides_a_decision_not_yet_issued_and_staff_see_it_marked(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    award = Award.objects.get(year=2023)
    award.decision_date = timezone.localdate() + datetime.timedelta(days=3)
    award.save()
    public = client_for(None).get(HISTORY)
    assert public.status_code == 200
    assert 'class="history-row"' not in public.content.decode()
    staff_page = client_for(staff).get(HISTORY).content.decode()
    assert staff_page.count('class="history-row"') == 1 and "Chưa đến ngày ban hành" in staff_page
    # The organization's own public page follows the same rule.
    assert (
        "Khen thưởng qua các năm"
        not in client_for(None).get(f"/don-vi/{award.organization.code}/").content.decode()
    )
    award.decision_date = timezone.localdate()
    award.save()
    assert client_for(None).get(HISTORY).content.decode().count('class="history-row"') == 1


def test_the_award_history_filters_by_organization_form_and_year(
    client_for: Callable[[Any], Client],
) -> None:
    add_groups(9, year=2025)
    client = client_for(None)

    def rows(**params: str) -> int:
        return client.get(HISTORY, params).content.decode().count('class="history-row"')

    assert rows() == 3
    assert rows(q="ninh binh") == 1
    assert rows(q="dong a") == 2
    assert rows(hinh_thuc="parent_merit") == 2 and rows(hinh_thuc="parent_flag") == 1
    assert rows(nam="2023") == 1 and rows(nam="2025", hinh_thuc="parent_flag") == 0
    page = client.get(HISTORY, {"nam": "hai nghin"}).content.decode()
    assert "Năm phải là số, ví dụ 2023." in page and page.count('class="history-row"') == 3


# --- Statistics and the workbook


def test_the_statistics_draw_awards_by_form_group_and_year_and_scores_by_work_area(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    page = client_for(staff).get(f"{BASE}/tong-quan/2023/thong-ke/").content.decode()
    assert '<div class="overview-chart"' in page and "style=" not in page.split("<main", 1)[1]
    assert re.search(
        r'<tr class="form-row"><th scope="row">Cờ thi đua của Liên hiệp Hội Việt Nam</th><td class="num">1</td>',
        page,
    )
    assert re.search(
        r'<tr class="group-stat-row"><th scope="row">Cụm thi đua số 4</th><td class="num">1</td>', page
    )
    assert re.search(r'<tr class="year-stat-row"><th scope="row">2023</th>', page)
    assert page.count('<tr class="score-row">') >= 2
    assert 'aria-label="Cờ thi đua của Liên hiệp Hội Việt Nam: 1 tập thể"' in page


def test_the_statistics_workbook_holds_the_same_figures_under_vietnamese_headings(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    add_groups(9, year=2023)
    response = client_for(staff).get(f"{BASE}/tong-quan/2023/thong-ke.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="thong-ke-vusta-2023.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == list(STATISTICS_SHEETS)

    def table(name: str) -> list[tuple[Any, ...]]:
        sheet = book[name]
        return [
            r for r in sheet.iter_rows(min_row=HEADER_ROW, values_only=True) if any(v is not None for v in r)
        ]

    by_form = table("Theo hình thức")
    assert by_form[0] == ("STT", "Hình thức khen thưởng", "Số tập thể")
    assert (1, "Cờ thi đua của Liên hiệp Hội Việt Nam", 1) in by_form
    assert (3, "Bằng khen của Liên hiệp Hội Việt Nam", 2) in by_form
    by_group = table("Theo cụm, khối")
    assert by_group[0][:2] == ("STT", "Cụm/khối thi đua") and by_group[0][-1] == "Tổng"
    assert {r[1]: r[-1] for r in by_group[1:] if isinstance(r[0], int)} == {
        "Cụm thi đua số 4": 1,
        "Khối thi đua số 108": 1,
        "Cụm thi đua số 107": 1,
    }
    by_year = table("Theo năm")
    assert by_year[0][0] == "Năm" and (2023, 1, 0, 2, 0, 0, 0, 3) in by_year
    scores = table("Điểm theo nhóm tiêu chí")
    assert scores[0] == ("Nhóm tiêu chí", "Điểm tối đa", "Năm 2023")
    assert len([r for r in scores[1:] if isinstance(r[1], int | float)]) >= 2
    assert book["Theo hình thức"]["A1"].value == "SỐ TẬP THỂ ĐƯỢC KHEN THƯỞNG NĂM 2023 THEO HÌNH THỨC"


def test_exporting_a_year_with_no_data_says_so_on_the_page_and_sends_no_file(
    client_for: Callable[[Any], Client], staff: User
) -> None:
    events = AuditEvent.objects.count()
    response = client_for(staff).get(f"{BASE}/tong-quan/2019/thong-ke.xlsx")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert "Năm 2019 chưa có số liệu để xuất Excel" in page and 'role="alert"' in page
    assert "thong-ke.xlsx" not in page
    assert AuditEvent.objects.count() == events
    # The statistics page of such a year offers no file; a year with data does.
    assert "thong-ke.xlsx" not in client_for(staff).get(f"{BASE}/tong-quan/2019/thong-ke/").content.decode()
    assert "2023/thong-ke.xlsx" in client_for(staff).get(f"{BASE}/tong-quan/2023/thong-ke/").content.decode()


# --- The same queries at two sizes


@pytest.mark.parametrize(
    ("path", "who"),
    [
        (f"{BASE}/tong-quan/{YEAR}/?q=dong+a", "staff"),
        (f"{BASE}/tong-quan/{YEAR}/?tre_han=on&loai=cum", "staff"),
        (f"{BASE}/tong-quan/{YEAR}/ho-so/", "staff"),
        (f"{BASE}/tong-quan/{YEAR}/hoi-dong/", "staff"),
        (f"{BASE}/tong-quan/{YEAR}/quyet-dinh/", "staff"),
        (f"{BASE}/tong-quan/{YEAR}/ho-so/?q=dong+a", "staff"),
        (f"{BASE}/tong-quan/{YEAR}/quyet-dinh/?q=qd+tn", "staff"),
        (f"{BASE}/tong-quan/{YEAR}/thong-ke/", "staff"),
        (f"{BASE}/tong-quan/{YEAR}/thong-ke.xlsx", "staff"),
        (HISTORY, "staff"),
        (HISTORY, None),
    ],
)
def test_each_overview_page_runs_the_same_queries_for_nine_groups_or_a_hundred_and_fifty(
    client_for: Callable[[Any], Client], cold_queries: Any, path: str, who: str | None
) -> None:
    client = client_for(User.objects.get(username="vusta") if who else None)
    add_groups(9, year=YEAR)
    client.get(path)  # the browser's first visit sets its CSRF cookie; both measured visits carry it
    with cold_queries() as small:
        small_response = client.get(path)
    add_groups(140, year=YEAR, start=300)
    with cold_queries() as large:
        large_response = client.get(path)
    assert small_response.status_code == large_response.status_code == 200
    assert len(small) == len(large), _difference(small, large)


def test_anyone_reaches_the_public_award_history_from_the_parent_bodys_page(
    client_for: Callable[[Any], Client],
) -> None:
    page = client_for(None).get("/don-vi/vusta/").content.decode()
    assert f'href="{HISTORY}"' in page
    assert client_for(None).get(HISTORY).status_code == 200
