"""The public news pages of Ninh Bình's union, modelled on the seed article's page."""

from __future__ import annotations

import datetime
import types
from typing import Any

import pytest

from thidua.news import models as news_models
from thidua.news.demo import SEED_TITLE
from thidua.news.tests.helpers import HOST, SEED_PATH, category, home, outline, publish_article, seed

pytestmark = pytest.mark.django_db


def _get(client: Any, path: str) -> str:
    response = client.get(path, HTTP_HOST=HOST)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_seed_article_shows_the_seed_pages_parts_in_order(client: Any) -> None:
    html = _get(client, SEED_PATH).split("<body>", 1)[1]
    parts = [
        "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình",  # the banner
        SEED_TITLE.replace("&", "&amp;"),
        "Thứ Hai, 18/12/2023",
        "Sáng 8/12, Cụm thi đua số 4",
        "thông qua giao ước thi đua và ký kết giao ước thi đua năm 2024",
        "Đinh Liên",
        "Các tin khác",
    ]
    positions = [html.index(part) for part in parts]
    assert positions == sorted(positions)


def test_the_banner_dates_today_in_vietnam_not_on_the_servers_clock(client: Any, monkeypatch: Any) -> None:
    # 18:30 UTC on Friday 12/04/2024 is already Saturday 13/04/2024 in Vietnam: the seed's dateline.
    moment = datetime.datetime(2024, 4, 12, 18, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(news_models, "timezone", types.SimpleNamespace(now=lambda: moment))
    assert '<p class="dateline">Thứ Bảy, 13/04/2024</p>' in _get(client, SEED_PATH)
    assert '<p class="dateline">Thứ Bảy, 13/04/2024</p>' in _get(client, "/")


def test_other_news_lists_the_latest_other_articles_of_the_category_newest_first(client: Any) -> None:
    html = _get(client, SEED_PATH)
    other = html[html.index("Các tin khác") :]
    titles = [
        "Triển khai giao ước thi đua năm 2024 của Cụm thi đua số 4",
        "Trao giải Hội thi Sáng tạo kỹ thuật tỉnh Ninh Bình",
        "Tập huấn nghiệp vụ tư vấn, phản biện và giám định xã hội năm 2023",
    ]
    positions = [other.index(title) for title in titles]
    assert positions == sorted(positions)
    assert SEED_TITLE.replace("&", "&amp;") not in other


def test_other_news_leaves_out_other_categories_and_drafts(client: Any) -> None:
    events = home().add_child(
        instance=news_models.NewsIndexPage(title="Hoạt động hội viên", slug="hoat-dong-hoi-vien")
    )
    publish_article(events, "Tin của chuyên mục khác", day=datetime.date(2024, 2, 1))
    draft = news_models.ArticlePage(title="Bản nháp chưa đăng", slug="ban-nhap", live=False)
    category().add_child(instance=draft)
    other = _get(client, SEED_PATH).split("Các tin khác", 1)[1]
    assert "Tin của chuyên mục khác" not in other
    assert "Bản nháp chưa đăng" not in other


def test_the_home_page_answers_at_the_root_of_the_unions_hostname(client: Any) -> None:
    html = _get(client, "/")
    assert '<h1 class="site-name">Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình</h1>' in html
    assert SEED_TITLE.replace("&", "&amp;") in html
    assert "Thứ Hai, 18/12/2023" in html
    # Links to the cluster pages on thidua.
    assert 'href="/cum-khoi/vusta-cum-4/"' in html


def test_thidua_keeps_its_own_home_on_its_own_host(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "site-name" not in response.content.decode()


def test_the_unions_site_is_reachable_under_tin_tuc_on_thiduas_host(client: Any) -> None:
    portal = client.get("/tin-tuc/").content.decode()
    assert 'href="/tin-tuc/lhh-ninh-binh/"' in portal
    article = client.get(f"/tin-tuc/lhh-ninh-binh{SEED_PATH}")
    assert article.status_code == 200
    assert "Thứ Hai, 18/12/2023" in article.content.decode()


def test_an_article_has_a_meta_description_open_graph_tags_and_a_canonical_url_on_the_unions_host(
    client: Any,
) -> None:
    html = client.get(f"/tin-tuc/lhh-ninh-binh{SEED_PATH}").content.decode()
    assert '<meta name="description" content="Sáng 8/12, Cụm thi đua số 4' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Hội nghị Tổng kết' in html
    assert f'<link rel="canonical" href="http://{HOST}{SEED_PATH}">' in html
    assert '<html lang="vi">' in html


@pytest.mark.parametrize("path", ["/", "/tin-tuc-su-kien/", SEED_PATH, "/tim-kiem/?q=hoi+nghi"])
def test_pages_have_one_title_headings_in_order_alt_texts_and_labelled_fields(client: Any, path: str) -> None:
    page = outline(_get(client, path))
    assert page.headings.count(1) == 1 and page.headings[0] == 1
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"heading h{after} after h{before}"
    assert all(image.get("alt") is not None for image in page.images)
    assert all(field.get("id") in page.labels for field in page.inputs)


def test_the_category_is_paginated(client: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(news_models, "ARTICLES_PER_PAGE", 3)
    first = _get(client, "/tin-tuc-su-kien/")
    assert "Trang 1/2" in first and 'href="?trang=2"' in first
    second = _get(client, "/tin-tuc-su-kien/?trang=2")
    assert "Tập huấn nghiệp vụ tư vấn" in second
    assert "Triển khai giao ước" not in second


@pytest.mark.parametrize(
    "query", ["hoi nghi", "HỘI NGHỊ", "Hội nghị", "dinh lien", "giam dinh xa hoi", "thua thien hue"]
)
def test_search_ignores_diacritics_and_case(client: Any, query: str) -> None:
    html = _get(client, f"/tim-kiem/?q={query}")
    assert SEED_TITLE.replace("&", "&amp;") in html


def test_search_needs_every_word_and_shows_no_drafts(client: Any) -> None:
    category().add_child(
        instance=news_models.ArticlePage(title="Hội nghị bí mật chưa đăng", slug="nhap", live=False)
    )
    html = _get(client, "/tim-kiem/?q=hoi+nghi+bi+mat")
    assert "0 kết quả" in html
    assert "Hội nghị bí mật" not in html.split("kết quả", 1)[1]


def test_each_category_has_an_rss_feed_of_its_articles(client: Any) -> None:
    response = client.get("/tin-tuc-su-kien/rss/", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = response.content.decode()
    assert "<title>Tin tức - Sự kiện — Trang tin Liên hiệp hội tỉnh Ninh Bình</title>" in feed
    assert f"<link>http://{HOST}{SEED_PATH}</link>" in feed
    assert "Mon, 18 Dec 2023" in feed


def test_the_sitemap_lists_the_unions_articles(client: Any) -> None:
    response = client.get("/sitemap.xml", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert f"<loc>http://{HOST}{SEED_PATH}</loc>" in response.content.decode()


def test_the_seed_article_is_dated_and_signed_as_published(db: Any) -> None:
    article = seed()
    assert article.date == datetime.date(2023, 12, 18)
    assert article.date_line == "Thứ Hai, 18/12/2023"
    assert article.author == "Đinh Liên"
    assert article.get_parent().title == "Tin tức - Sự kiện"
    assert article.live


def test_loading_the_demo_again_adds_no_page(db: Any) -> None:
    from thidua.news.demo import load_news_demo

    before = news_models.ArticlePage.objects.count()
    load_news_demo()
    assert news_models.ArticlePage.objects.count() == before


def test_the_wagtail_admin_is_open_to_the_unions_editor_and_closed_to_an_officer(
    client_for: Any, editor: Any, officer_nghe_an: Any
) -> None:
    assert client_for(editor).get("/quan-tri-tin/").status_code == 200
    assert client_for(officer_nghe_an).get("/quan-tri-tin/").status_code != 200
    anonymous = client_for(None).get("/quan-tri-tin/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/tai-khoan/dang-nhap/")
