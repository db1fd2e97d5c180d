"""The news sites' addresses as readers can open them (the port thidua is served on included), the
home page's links to them, and the summary of an article written without a lead."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client

from thidua.news.tests.helpers import HOST, SEED_PATH, category, publish_article, seed

pytestmark = pytest.mark.django_db

ON_8000 = {"HTTP_HOST": "127.0.0.1:8000", "SERVER_PORT": "8000"}
UNION_ON_8000 = {"HTTP_HOST": f"{HOST}:8000", "SERVER_PORT": "8000"}
UNION = "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình"


def _html(path: str, headers: dict[str, str]) -> str:
    response = Client().get(path, **headers)  # type: ignore[arg-type]
    assert response.status_code == 200, path
    return response.content.decode()


def _canonical(html: str) -> tuple[str, str]:
    link = re.search(r'<link rel="canonical" href="([^"]+)">', html)
    og_url = re.search(r'<meta property="og:url" content="([^"]+)">', html)
    assert link and og_url
    return link.group(1), og_url.group(1)


def test_thiduas_home_page_links_to_each_organizations_news_site_at_its_served_address() -> None:
    html = _html("/", ON_8000)
    assert f'<a href="http://{HOST}:8000/">{UNION}</a>' in html
    assert '<a href="/tin-tuc/">Xem danh sách trang tin</a>' in html


def test_the_sitemap_of_thiduas_host_gives_every_address_with_the_port_it_is_served_on() -> None:
    locations = re.findall(r"<loc>([^<]+)</loc>", _html("/sitemap.xml", ON_8000))
    assert "http://127.0.0.1:8000/tin-tuc/" in locations
    assert f"http://127.0.0.1:8000/tin-tuc/lhh-ninh-binh{SEED_PATH}" in locations
    assert all(url.startswith("http://127.0.0.1:8000/tin-tuc/") for url in locations), locations


def test_the_sitemap_of_a_unions_host_gives_its_own_addresses_with_the_port() -> None:
    locations = re.findall(r"<loc>([^<]+)</loc>", _html("/sitemap.xml", UNION_ON_8000))
    assert f"http://{HOST}:8000{SEED_PATH}" in locations
    assert all(url.startswith(f"http://{HOST}:8000/") for url in locations), locations


def test_the_canonical_link_and_og_url_carry_the_port_the_page_is_served_on() -> None:
    assert _canonical(_html("/tin-tuc/", ON_8000)) == ("http://127.0.0.1:8000/tin-tuc/",) * 2
    # An article read under /tin-tuc/ points search engines to the union's own site, on the same server.
    article = f"http://{HOST}:8000{SEED_PATH}"
    assert _canonical(_html(f"/tin-tuc/lhh-ninh-binh{SEED_PATH}", ON_8000)) == (article, article)
    assert _canonical(_html(SEED_PATH, UNION_ON_8000)) == (article, article)


def test_behind_https_on_the_default_port_the_addresses_carry_no_port(settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    behind_nginx = {"HTTP_HOST": HOST, "SERVER_PORT": "8000", "HTTP_X_FORWARDED_PROTO": "https"}
    assert _canonical(_html(SEED_PATH, behind_nginx))[0] == f"https://{HOST}{SEED_PATH}"


def test_without_a_request_addresses_take_the_scheme_and_port_of_the_public_url(settings: Any) -> None:
    settings.PUBLIC_URL = "http://192.168.1.20:8000"
    assert seed().get_full_url() == f"http://{HOST}:8000{SEED_PATH}"
    portal = category().get_parent().get_parent()
    assert portal.specific.get_full_url(None) == "http://192.168.1.20:8000/tin-tuc/"


BODY = (
    "Sáng 20/3, Liên hiệp hội tỉnh tổ chức hội thảo về chuyển đổi số. Hơn 100 đại biểu &amp; chuyên gia tham dự."
    "</p><p>Hội thảo đã nghe 12 tham luận về chính phủ số, kinh tế số và xã hội số, cùng nhiều ý kiến "
    "đóng góp của các nhà khoa học đầu ngành trong và ngoài tỉnh, kéo dài suốt cả ngày làm việc."
)
SUMMARY = (
    "Sáng 20/3, Liên hiệp hội tỉnh tổ chức hội thảo về chuyển đổi số. Hơn 100 đại biểu & chuyên gia tham dự."
)


@pytest.fixture
def without_lead() -> Any:
    return publish_article(
        category(), "Hội thảo chuyển đổi số", day=datetime.date(2024, 3, 20), slug="hoi-thao", text=BODY
    )


def test_an_article_without_a_lead_is_summed_up_by_its_first_sentences_in_lists_and_the_feed(
    without_lead: Any,
) -> None:
    assert without_lead.summary == SUMMARY
    escaped = SUMMARY.replace("&", "&amp;")
    assert f"<p>{escaped}</p>" in _html("/tin-tuc-su-kien/", {"HTTP_HOST": HOST})
    assert f"<p>{escaped}</p>" in _html("/", {"HTTP_HOST": HOST})
    feed = _html("/tin-tuc-su-kien/rss/", {"HTTP_HOST": HOST})
    assert f"<description>{escaped}</description>" in feed
    page = _html("/tin-tuc-su-kien/hoi-thao/", {"HTTP_HOST": HOST})
    assert f'<meta name="description" content="{escaped}">' in page


def test_an_articles_own_lead_stays_its_summary() -> None:
    article = seed()
    article.lead = "Sapo do biên tập viên viết."
    assert article.summary == "Sapo do biên tập viên viết."
