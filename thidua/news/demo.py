"""The news sites of Cụm 4's members. Ninh Bình's union has the seed article (DOMAIN.md, "Facts for
the demo": published 18/12/2023, author Đinh Liên) and three short articles of demo content, so that
"Các tin khác" has something to show, all written by the editor and published by the manager, and one more
article waiting for the manager's approval. Every other member of Cụm 4 has a site of its own, empty, so
that whichever member hosts a conference, "Soạn tin" has a site to write on. Idempotent: a site or an
article already there (by slug) is left alone."""

from __future__ import annotations

import datetime

from django.db import transaction

from thidua.accounts.models import User
from thidua.lib.dates import VIETNAM_TZ
from thidua.news import services
from thidua.news.models import ArticlePage, HomePage, NewsIndexPage
from thidua.organizations.demo import CLUSTER_4_NEW
from thidua.organizations.models import Organization

# Browsers send every *.localhost name to this machine: the demo site answers there with no set-up.
NINH_BINH_HOST = "ninhbinh.localhost"
SEED_SLUG = "hoi-nghi-tong-ket-cong-tac-thi-dua-khen-thuong-cum-thi-dua-so-4-2023"
DEMO_NOTE = "(Bài minh họa, không phải tin thật.)"

# The seed article as published, typos included ("KKH&KT", "địa diện", "hội thảo" for the conference):
# it is the union's text, quoted, not thidua's to correct.
SEED_TITLE = (
    "Hội nghị Tổng kết công tác thi đua khen thưởng cụm thi đua số 4 Liên hiệp các Hội KKH&KT Việt Nam"
)
SEED_PARAGRAPHS = [
    "Sáng 8/12, Cụm thi đua số 4 của Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam (gọi tắt là Liên hiệp Hội), "
    "Dự Hội nghị có địa diện lãnh đạo và cán bộ phụ trách thi đua khen thưởng của 7 tỉnh trong cụm gồm: Ninh Bình, "
    "Thanh Hóa, Nghệ An, Hà Tĩnh, Quảng Bình, Quảng Trị, Thừa Thiên Huế.",
    "Trong năm 2023, Các Liên hiệp Hội trong Cụm thi đua số 4 đã tổ chức triển khai thực hiện tốt các nhiệm vụ đã "
    "đề ra, nội dung, phương thức hoạt động được đổi mới và chất lượng được nâng cao. Các Liên hiệp Hội đã chủ động "
    "tập hợp, đoàn kết, phát huy sức sáng tạo của đội ngũ trí thức khoa học - công nghệ thực hiện có hiệu quả các "
    "mặt công tác chính như: xây dựng và phát triển tổ chức, giáo dục chính trị tư tưởng; tư vấn, phản biện và giám "
    "định xã hội; nghiên cứu phát triển, ứng dụng khoa học và công nghệ vào bảo vệ môi trường; thông tin, phổ biến "
    "kiến thức khoa học và công nghệ; hợp tác quốc tế triển khai thực hiện dự án phi chính phủ; tổ chức các hội "
    "thi, cuộc thi về sáng tạo khoa học, kỹ thuật. Cùng với đó, các thành viên trong Cụm thi đua số 4 đã tạo được "
    "mối liên hệ gắn kết với nhau, cùng nhau tổ chức thi đua, ký kết giao ước thi đua và tổ chức nhiều mô hình mới, "
    "cách làm hiệu quả, góp phần xây dựng và củng cố hệ thống tổ chức, nâng cao vị thế của Liên hiệp Hội từ Trung "
    "ương đến địa phương.",
    "Tại hội thảo, các đại biểu đã tập trung thảo luận nhiều vấn đề liên quan đến hoạt động của Liên hiệp Hội và đề "
    "xuất nhiệm vụ công tác năm 2024 như: Tích cực tham gia hưởng ứng các phong trào thi đua do Liên hiệp Hội Việt "
    "Nam và cấp uỷ, chính quyền, MTTQ phát động với tinh thần phối hợp đoàn kết, thống nhất và có những bước phát "
    "triển trong hoạt động của cụm; tiếp tục thực hiện tốt những mục tiêu đề ra trong Nghị quyết Đại hội VIII của "
    "Liên hiệp Hội Việt Nam; đẩy mạnh các hoạt động tư vấn, phản biện và giám định xã hội, tổ chức hội thi, giải "
    "thưởng, hoạt động khoa học - công nghệ và hợp tác quốc tế, các hoạt động trao đổi, giao lưu, học hỏi kinh "
    "nghiệm...",
    "Tại hội thảo, Cụm thi đua số 4 đã bình xét các danh hiệu thi đua, khen thưởng; bầu Cụm trưởng, Cụm phó năm "
    "2024; thông qua giao ước thi đua và ký kết giao ước thi đua năm 2024.",
]

# Submitted by the editor and waiting for the manager's approval (slug, title, lead, body paragraphs).
PENDING_DATE = datetime.date(2024, 3, 5)
PENDING_ARTICLE = (
    "hoi-nghi-so-ket-quy-i-nam-2024",
    "Sơ kết hoạt động quý I năm 2024 của Liên hiệp hội tỉnh",
    f"Ban Thường trực đánh giá kết quả quý I và bàn nhiệm vụ quý II. {DEMO_NOTE}",
    [
        "Các hội thành viên báo cáo kết quả thực hiện giao ước thi đua năm 2024 trong quý I và đề xuất "
        "những việc cần Liên hiệp hội tỉnh hỗ trợ trong quý II.",
    ],
)

# (slug, title, date, lead, body paragraphs): demo content, said so in each lead.
DEMO_ARTICLES = [
    (
        "tap-huan-tu-van-phan-bien-va-giam-dinh-xa-hoi-2023",
        "Tập huấn nghiệp vụ tư vấn, phản biện và giám định xã hội năm 2023",
        datetime.date(2023, 10, 12),
        f"Liên hiệp hội tỉnh tổ chức lớp tập huấn cho cán bộ các hội thành viên. {DEMO_NOTE}",
        [
            "Lớp tập huấn giới thiệu quy trình tư vấn, phản biện và giám định xã hội đối với các đề án, "
            "chương trình phát triển kinh tế - xã hội của tỉnh, cùng những kinh nghiệm thực tế của các chuyên gia.",
        ],
    ),
    (
        "hoi-thi-sang-tao-ky-thuat-tinh-ninh-binh",
        "Trao giải Hội thi Sáng tạo kỹ thuật tỉnh Ninh Bình",
        datetime.date(2023, 11, 20),
        f"Nhiều giải pháp ứng dụng khoa học và công nghệ vào sản xuất và đời sống được trao giải. {DEMO_NOTE}",
        [
            "Hội thi thu hút các tác giả là cán bộ, kỹ sư, nông dân và học sinh với các giải pháp thuộc nhiều "
            "lĩnh vực: nông nghiệp, môi trường, y tế, giáo dục và chuyển đổi số.",
        ],
    ),
    (
        "trien-khai-giao-uoc-thi-dua-nam-2024",
        "Triển khai giao ước thi đua năm 2024 của Cụm thi đua số 4",
        datetime.date(2024, 1, 15),
        f"Các Liên hiệp hội trong Cụm bắt tay thực hiện giao ước đã ký tại hội nghị tổng kết. {DEMO_NOTE}",
        [
            "Ban Thường trực Liên hiệp hội tỉnh đã phổ biến nội dung giao ước thi đua năm 2024 tới các hội "
            "thành viên và giao nhiệm vụ cho từng ban chuyên môn.",
        ],
    ),
]


def _publish(
    index: NewsIndexPage,
    editor: User,
    manager: User,
    *,
    slug: str,
    published: datetime.date,
    **fields: object,
) -> None:
    if ArticlePage.objects.child_of(index).filter(slug=slug).exists():
        return
    tags = fields.pop("tags", [])
    article = ArticlePage(slug=slug, date=published, live=False, owner=editor, **fields)
    article.tags.set(tags)
    index.add_child(instance=article)
    # Written by the editor, published by the manager: editors cannot publish on their own.
    article.save_revision(user=editor).publish(user=manager)
    # As if published that day, which "Các tin khác" and the feed order by after the article's date.
    moment = datetime.datetime.combine(published, datetime.time(8, 0), tzinfo=VIETNAM_TZ)
    ArticlePage.objects.filter(pk=article.pk).update(first_published_at=moment, last_published_at=moment)


def member_hostname(code: str) -> str:
    """ "lhh-thanh-hoa" → "thanhhoa.localhost", as Ninh Bình's site answers at ninhbinh.localhost."""
    return f"{code.removeprefix('lhh-').replace('-', '')}.localhost"


def _open_member_sites(admin: User) -> None:
    """A site for each of Cụm 4's members today (Ninh Bình's is opened with its articles)."""
    for province in CLUSTER_4_NEW:
        organization = Organization.objects.prefetch_related("names").get(code=province.code)
        if HomePage.objects.filter(organization=organization).exists():
            continue
        home = services.open_news_site(
            actor=admin, organization=organization, hostname=member_hostname(province.code)
        )
        home.intro = f"Trang tin của {organization.current_name} (bản minh họa trên thidua)."
        home.save_revision(user=admin).publish(user=admin)


@transaction.atomic
def load_news_demo() -> None:
    admin = User.objects.get(username="quantri")
    editor = User.objects.get(username="bientap")
    manager = User.objects.get(username="duyettin")
    ninh_binh = Organization.objects.get(code="lhh-ninh-binh")
    home = services.open_news_site(actor=admin, organization=ninh_binh, hostname=NINH_BINH_HOST)
    if not home.intro:
        home.intro = (
            "Trang tin của Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Ninh Bình (bản minh họa trên thidua)."
        )
        home.save_revision(user=admin).publish(user=admin)
    index = NewsIndexPage.objects.child_of(home).get(slug=services.DEFAULT_CATEGORY_SLUG)
    _publish(
        index,
        editor,
        manager,
        slug=SEED_SLUG,
        published=datetime.date(2023, 12, 18),
        title=SEED_TITLE,
        body=[("paragraph", f"<p>{p}</p>") for p in SEED_PARAGRAPHS],
        author="Đinh Liên",
        search_description=SEED_PARAGRAPHS[0],
        tags=["Cụm thi đua số 4", "Thi đua khen thưởng"],
    )
    for slug, title, published, lead, paragraphs in DEMO_ARTICLES:
        _publish(
            index,
            editor,
            manager,
            slug=slug,
            published=published,
            title=title,
            lead=lead,
            body=[("paragraph", f"<p>{p}</p>") for p in paragraphs],
            author="Ban biên tập (minh họa)",
            tags=["Minh họa"],
        )
    _submit_for_moderation(index, editor, home)
    _open_member_sites(admin)


def _submit_for_moderation(index: NewsIndexPage, editor: User, home: HomePage) -> None:
    """One article the editor has submitted, waiting in the manager's "Chờ duyệt" list."""
    slug, title, lead, paragraphs = PENDING_ARTICLE
    if ArticlePage.objects.child_of(index).filter(slug=slug).exists():
        return
    article = ArticlePage(
        slug=slug,
        title=title,
        date=PENDING_DATE,
        lead=lead,
        body=[("paragraph", f"<p>{p}</p>") for p in paragraphs],
        author="Ban biên tập (minh họa)",
        live=False,
        owner=editor,
    )
    index.add_child(instance=article)
    article.save_revision(user=editor, log_action=True)
    workflow = services.moderation_workflow(home)
    assert workflow is not None  # open_news_site sets it up
    workflow.start(article, editor)
