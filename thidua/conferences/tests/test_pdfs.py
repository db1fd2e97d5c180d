"""The printable PDFs: voting cards (8 to an A4 page) and paper ballots (2 to a page), read back as text
with poppler's pdftotext, on a fresh 2026 conference of Cụm 4 run by Quảng Trị's secretariat."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from thidua.accounts.models import User
from thidua.conferences import codes, pdf, services
from thidua.conferences.models import BallotMode, Conference, Delegate, Poll
from thidua.conferences.services import IssuedCode
from thidua.conferences.tests import helpers
from thidua.organizations.models import LeadershipRole

CODE = re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}\b")
NO_FONT = "Máy chủ chưa có phông chữ tiếng Việt"


def _missing(reason: str) -> None:
    # CI installs poppler-utils and the fonts (.ci/run): there a missing one is a broken install.
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run should have installed it")
    pytest.skip(reason)


@pytest.fixture
def font() -> tuple[str, str]:
    found = pdf.find_font()
    if found is None:
        _missing("no TrueType font with Vietnamese letters here (Liberation 2 or DejaVu)")
    assert found is not None
    return found


def pages(document: bytes, tmp_path: Path) -> list[str]:
    """The text of each page, whitespace folded: content-stream order (-raw), so a card's or a ballot's
    lines stay together and a name wrapped over two lines reads as one."""
    tool = shutil.which("pdftotext")
    if tool is None:
        _missing("pdftotext (poppler-utils) is not installed here")
    assert tool is not None
    source = tmp_path / "document.pdf"
    source.write_bytes(document)
    result = subprocess.run(  # noqa: S603 -- our own temporary file only
        [tool, "-raw", "-enc", "UTF-8", str(source), "-"], check=True, capture_output=True, timeout=60
    )
    text = result.stdout.decode()
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


@pytest.fixture
def conference_2026(quangtri: User) -> Conference:
    conference = helpers.conference_2026(
        quangtri, title="Hội nghị tổng kết công tác thi đua, khen thưởng năm 2026 — Cụm thi đua số 4"
    )
    for number, member in enumerate(helpers.members_2026()):
        services.add_delegate(
            actor=quangtri,
            conference=conference,
            organization=member,
            full_name=f"Nguyễn Thị Hường {number + 1}",
            job_title="Chủ tịch",
            votes=True,
        )
    services.add_delegate(
        actor=quangtri, conference=conference, organization=None, full_name="Khách mời Trần Văn Được"
    )
    return conference


def _url(conference: Conference, suffix: str) -> str:
    return f"/nam-thi-dua/vusta-cum-4/{conference.emulation_year.year}/hoi-nghi/{conference.pk}/{suffix}"


def _paper(poll: Poll) -> Poll:
    poll.mode = BallotMode.PAPER
    poll.save(update_fields=["mode"])
    return poll


@pytest.fixture
def motion(quangtri: User, conference_2026: Conference) -> Poll:
    return _paper(
        services.create_motion_poll(
            actor=quangtri, conference=conference_2026, title="Thông qua giao ước thi đua năm 2027"
        )
    )


def _ballots(client: Client, conference: Conference, poll: Poll, query: str = "") -> Any:
    return client.get(_url(conference, f"bo-phieu/{poll.pk}/phieu-giay.pdf{query}"))


# --- Voting cards


@pytest.mark.django_db
def test_the_cards_pdf_has_one_page_per_eight_cards_with_each_delegates_name_and_code(
    font: Any, conference_2026: Conference, tmp_path: Path
) -> None:
    issued = [
        IssuedCode(
            Delegate(full_name=f"Lê Thị Ngọc Diệp số {n}", card=f"{n:02d}"),
            codes.new_code(),
        )
        for n in range(1, 18)
    ]
    document = pdf.cards_pdf(conference_2026, issued, "http://192.168.1.20:8000/bo-phieu/1/")
    texts = pages(document, tmp_path)
    assert len(texts) == 3  # 17 cards: 8 + 8 + 1
    for number, item in enumerate(issued):
        page = texts[number // 8]
        assert f"{item.delegate.full_name} " in page
        assert item.code in page
        assert f"Thẻ số {item.delegate.card}" in page
    assert texts[0].count("THẺ BIỂU QUYẾT") == 8 and texts[2].count("THẺ BIỂU QUYẾT") == 1
    assert "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2026 — Cụm thi đua số 4" in texts[0]
    assert "Quét mã QR bằng điện thoại" in texts[0]


@pytest.mark.django_db
def test_each_cards_qr_code_carries_the_voting_address_with_the_code_in_its_fragment(
    font: Any, conference_2026: Conference, monkeypatch: Any
) -> None:
    # Decoding the printed QR would need a QR reader; what goes into it is checked instead.
    encoded: list[str] = []
    real = pdf.QrCodeWidget

    def spy(value: str, **options: Any) -> Any:
        encoded.append(value)
        assert options["barLevel"] == "M"  # survives a crease in the card
        return real(value, **options)

    monkeypatch.setattr(pdf, "QrCodeWidget", spy)
    issued = [IssuedCode(Delegate(full_name="Hồ Thị Thu", card="01"), "ABCD-EFGH-JKMN-PQRS")]
    pdf.cards_pdf(conference_2026, issued, "http://192.168.1.20:8000/bo-phieu/1/")
    assert encoded == ["http://192.168.1.20:8000/bo-phieu/1/#ABCD-EFGH-JKMN-PQRS"]


@pytest.mark.django_db
def test_the_cards_view_sends_the_pdf_as_an_attachment_never_cached_whose_codes_let_each_delegate_in(
    font: Any, quangtri: User, conference_2026: Conference, client_for: Any, tmp_path: Path
) -> None:
    response = client_for(quangtri).post(_url(conference_2026, "the-bieu-quyet/"), {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="the-bieu-quyet.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    (text,) = pages(response.content, tmp_path)
    printed = CODE.findall(text)
    assert len(printed) == 6  # the six voting delegates; the guest gets no card
    for code in printed:
        delegate = services.authenticate(conference_2026, code, client="192.0.2.1")
        assert delegate.organization is not None
        assert (
            delegate.full_name in text and delegate.organization.name_on(datetime.date(2026, 12, 22)) in text
        )
    assert "Trần Văn Được" not in text


@pytest.mark.django_db
def test_without_a_vietnamese_font_the_cards_view_falls_back_to_the_printable_page_with_a_warning(
    quangtri: User, conference_2026: Conference, client_for: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(pdf, "find_font", lambda: None)
    response = client_for(quangtri).post(_url(conference_2026, "the-bieu-quyet/"), {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert NO_FONT in page and "hãy dùng bản in từ trình duyệt" in page
    assert len(CODE.findall(page)) >= 6  # the cards are there to print from the browser


@pytest.mark.django_db
def test_the_cards_button_without_the_pdf_format_still_shows_the_page(
    quangtri: User, conference_2026: Conference, client_for: Any
) -> None:
    response = client_for(quangtri).post(_url(conference_2026, "the-bieu-quyet/"))
    assert response["Content-Type"].startswith("text/html")
    assert NO_FONT not in response.content.decode()


@pytest.mark.django_db
def test_the_conference_page_offers_the_pdf_cards_next_to_the_printable_page(
    quangtri: User, conference_2026: Conference, client_for: Any
) -> None:
    page = client_for(quangtri).get(_url(conference_2026, "")).content.decode()
    assert 'name="format" value="pdf"' in page and "Tải thẻ biểu quyết (PDF)" in page


# --- Paper ballots


@pytest.mark.django_db
def test_the_motion_ballot_has_its_title_the_three_answers_and_nothing_that_tells_one_copy_from_another(
    font: Any, quangtri: User, conference_2026: Conference, motion: Poll, client_for: Any, tmp_path: Path
) -> None:
    response = _ballots(client_for(quangtri), conference_2026, motion, "?so-phieu=4")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    texts = pages(response.content, tmp_path)
    assert len(texts) == 2  # two ballots to a page
    assert texts[0] == texts[1]  # every copy the same: no number on any
    ballot = texts[0]
    assert ballot.count("PHIẾU BIỂU QUYẾT") == 2
    for answer in ("Đồng ý", "Không đồng ý", "Không có ý kiến"):
        assert f" {answer} " in ballot
    assert "Thông qua giao ước thi đua năm 2027" in ballot
    assert "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2026 — Cụm thi đua số 4" in ballot
    assert "Ngày 22 tháng 12 năm 2026" in ballot
    assert "vào một ô" in ballot
    assert "Phiếu hợp lệ phải có dấu của Ban tổ chức" in ballot
    assert "Thẻ số" not in ballot and "Nguyễn Thị Hường" not in ballot and "Số:" not in ballot
    assert not CODE.search(ballot)


@pytest.mark.django_db
def test_the_nomination_ballot_has_agree_and_disagree_columns_for_each_member(
    font: Any, client_for: Any, tmp_path: Path
) -> None:
    # A nomination needs settled scores: the demo's 2023, its conference not yet ended.
    conference = Conference.objects.get(emulation_year__group__slug="vusta-cum-4", emulation_year__year=2023)
    Conference.objects.filter(pk=conference.pk).update(closed_at=None)
    ninhbinh = User.objects.get(username="ninhbinh")  # head of Cụm 4 in 2023 (demo)
    poll = _paper(services.create_nomination_poll(actor=ninhbinh, conference=conference))
    assert poll.choices.count() == 7
    response = _ballots(client_for(ninhbinh), conference, poll, "?so-phieu=2")
    (ballots,) = pages(response.content, tmp_path)
    assert ballots.count("PHIẾU SUY TÔN") == 2
    assert ballots.count("TT Đơn vị Đồng ý Không đồng ý") == 2
    assert "Đánh dấu ✓ vào ô «Đồng ý» hoặc «Không đồng ý» của từng đơn vị" in ballots or (
        "vào ô «Đồng ý» hoặc «Không đồng ý» của từng đơn vị" in ballots  # a ✓ drawn as strokes
    )
    for choice in poll.choices.all():
        assert ballots.count(choice.label) == 2


@pytest.mark.django_db
def test_the_election_ballot_says_how_many_may_be_chosen(
    font: Any, quangtri: User, conference_2026: Conference, client_for: Any, tmp_path: Path
) -> None:
    poll = _paper(
        services.create_election_poll(actor=quangtri, conference=conference_2026, role=LeadershipRole.HEAD)
    )
    (ballots,) = pages(_ballots(client_for(quangtri), conference_2026, poll, "?so-phieu=1").content, tmp_path)
    assert "PHIẾU BẦU" in ballots and "Bầu cụm trưởng năm 2027" in ballots
    assert "vào ô của đơn vị bạn chọn (tối đa 1)" in ballots
    assert "TT Đơn vị Chọn" in ballots


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected_pages"),
    [("", 3), ("?so-phieu=0", 1), ("?so-phieu=5", 3), ("?so-phieu=ba", 3), ("?so-phieu=-4", 3)],
)
def test_as_many_ballots_as_voting_delegates_unless_asked_for_another_number(
    font: Any,
    quangtri: User,
    conference_2026: Conference,
    motion: Poll,
    client_for: Any,
    tmp_path: Path,
    query: str,
    expected_pages: int,
) -> None:
    response = _ballots(client_for(quangtri), conference_2026, motion, query)
    assert len(pages(response.content, tmp_path)) == expected_pages  # six voters: three pages


@pytest.mark.django_db
def test_no_more_than_500_ballots_at_once(
    font: Any, quangtri: User, conference_2026: Conference, motion: Poll, client_for: Any, monkeypatch: Any
) -> None:
    asked: list[int] = []
    monkeypatch.setattr(pdf, "paper_ballot_pdf", lambda poll, copies: asked.append(copies) or b"%PDF-")
    for query in ("?so-phieu=501", "?so-phieu=" + "9" * 5000):
        assert _ballots(client_for(quangtri), conference_2026, motion, query).status_code == 200
    assert asked == [500, 500]


@pytest.mark.django_db
def test_a_ballot_with_more_choices_than_a_half_page_holds_goes_on_over_whole_sheets(
    font: Any, motion: Poll, tmp_path: Path
) -> None:
    from thidua.conferences.models import Choice

    Choice.objects.bulk_create(
        Choice(poll=motion, key=f"extra-{n}", label=f"Phương án thêm {n}", position=10 + n) for n in range(60)
    )
    texts = pages(pdf.paper_ballot_pdf(motion, 2), tmp_path)
    assert len(texts) % 2 == 0 and len(texts) >= 4
    sheets = len(texts) // 2
    assert texts[0].startswith(f"Tờ 1/{sheets}")
    assert all("Phiếu hợp lệ phải có dấu của Ban tổ chức" in t for t in texts)
    assert texts[:sheets] == texts[sheets:]


@pytest.mark.django_db
def test_an_officer_may_not_print_the_ballots(
    officer_nghe_an: User, conference_2026: Conference, motion: Poll, client_for: Any
) -> None:
    response = _ballots(client_for(officer_nghe_an), conference_2026, motion)
    assert response.status_code == 403


@pytest.mark.django_db
def test_an_electronic_poll_has_no_paper_ballots(
    quangtri: User, conference_2026: Conference, client_for: Any
) -> None:
    poll = services.create_motion_poll(actor=quangtri, conference=conference_2026, title="Biểu quyết")
    assert _ballots(client_for(quangtri), conference_2026, poll).status_code == 404


@pytest.mark.django_db
def test_without_a_vietnamese_font_the_ballots_link_returns_to_the_poll_with_a_warning(
    quangtri: User, conference_2026: Conference, motion: Poll, client_for: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(pdf, "find_font", lambda: None)
    client = client_for(quangtri)
    response = _ballots(client, conference_2026, motion)
    assert response.status_code == 302
    assert response["Location"] == _url(conference_2026, f"bo-phieu/{motion.pk}/")
    assert NO_FONT in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_the_poll_page_links_the_paper_ballots_for_the_runner_while_the_poll_is_not_closed(
    quangtri: User, officer_nghe_an: User, conference_2026: Conference, motion: Poll, client_for: Any
) -> None:
    path = _url(conference_2026, f"bo-phieu/{motion.pk}/")
    assert "In phiếu giấy (PDF)" in client_for(quangtri).get(path).content.decode()
    assert "In phiếu giấy (PDF)" not in client_for(officer_nghe_an).get(path).content.decode()
    electronic = services.create_motion_poll(actor=quangtri, conference=conference_2026, title="Biểu quyết")
    page = client_for(quangtri).get(_url(conference_2026, f"bo-phieu/{electronic.pk}/")).content.decode()
    assert "In phiếu giấy (PDF)" not in page


# --- Fonts


def test_without_any_font_the_pdfs_say_so_in_vietnamese(monkeypatch: Any) -> None:
    monkeypatch.setattr(pdf, "find_font", lambda: None)
    with pytest.raises(pdf.PdfUnavailable, match="phông chữ tiếng Việt"):
        pdf.paper_ballot_pdf(Poll(), 1)


def test_a_configured_font_comes_first_with_its_bold_beside_it(settings: Any) -> None:
    regular = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    if not regular.is_file():
        pytest.skip("DejaVu Serif is not installed here")
    settings.PDF_FONT = str(regular)
    assert pdf.find_font() == (str(regular), str(regular.with_name("DejaVuSerif-Bold.ttf")))


def test_a_configured_font_that_is_missing_is_passed_over(settings: Any) -> None:
    settings.PDF_FONT = ""
    expected = pdf.find_font()
    settings.PDF_FONT = "/nowhere/NoSuchFont-Regular.ttf"
    assert pdf.find_font() == expected


def test_a_font_without_the_vietnamese_letters_is_never_chosen(settings: Any) -> None:
    # Debian 12's fonts-liberation (1.07) has Đ but not ệ or Ư.
    old = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
    if not old.is_file() or pdf._covers_vietnamese(old):
        pytest.skip("no Liberation 1.x here (the font without Vietnamese letters this test needs)")
    settings.PDF_FONT = str(old)
    found = pdf.find_font()
    assert found is None or str(old) not in found
