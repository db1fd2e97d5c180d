"""Media on an S3-compatible store (issue 16): every kind of file an officer, the secretariat or an editor
puts in goes to the bucket of an S3 server the test starts (moto's, tests/s3.py), none to MEDIA_ROOT, and
each comes back only through its view, to who may read it.

The store is configured as production configures it: `config.settings.media_storage` reads the same
THIDUA_S3_* variables. Runs on either database: the S3 server is another process, the app is this one.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PillowImage

from thidua.accounts.models import User
from thidua.assessments.demo import minimal_pdf
from thidua.documents.tests import signing

pytestmark = pytest.mark.django_db

SHEET = "/nam-thi-dua/vusta-cum-4/2026/cham-diem/lhh-ninh-binh"
DOCUMENTS = "/nam-thi-dua/vusta-cum-4/2023/van-ban"
NEWS_HOST = "ninhbinh.localhost"


def _nothing_on_disk() -> None:
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*")), list(media.rglob("*"))


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)


def test_evidence_goes_to_the_bucket_and_out_only_through_its_view_to_who_may_read_the_sheet(
    media_on_s3: Any, client_for: Any, officer_ninh_binh: User, officer_nghe_an: User
) -> None:
    from thidua.assessments.models import Score

    score = Score.objects.get(
        assessment__emulation_year__year=2026,
        assessment__organization__code="lhh-ninh-binh",
        criterion__code="3.1",
    )
    data = minimal_pdf("Minh chung tren S3")
    officer = client_for(officer_ninh_binh)
    added = officer.post(
        f"{SHEET}/minh-chung/{score.pk}/them/", {"file": SimpleUploadedFile("bao-cao.pdf", data)}
    )
    assert added.status_code == 302, added
    evidence = score.evidence.get(original_name="bao-cao.pdf")
    assert media_on_s3.objects() == {evidence.file.name: data}
    _nothing_on_disk()

    download = f"{SHEET}/minh-chung/{evidence.pk}/"
    response = officer.get(download)
    assert response.status_code == 200 and _body(response) == data
    assert response["Content-Disposition"].startswith("attachment;")
    assert client_for(officer_nghe_an).get(download).status_code in (403, 404)
    anonymous = client_for(None).get(download)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    # No other address reaches it: not MEDIA_URL, not the news images' view, not the store's own.
    assert officer.get(f"/{settings.MEDIA_URL}{evidence.file.name}").status_code == 404
    assert officer.get(reverse("news_image", kwargs={"name": evidence.file.name})).status_code == 404
    assert media_on_s3.endpoint not in officer.get(f"{SHEET}/").content.decode()


def test_an_issued_document_and_its_signed_original_go_to_the_bucket_and_out_through_their_views(
    media_on_s3: Any, client_for: Any, officer_ninh_binh: User
) -> None:
    from thidua.conferences.models import Conference
    from thidua.documents.models import Document

    conference = Conference.objects.get(emulation_year__year=2023)
    secretariat = client_for(officer_ninh_binh)
    # A vote count of a poll whose count the demo's dossier did not issue.
    poll = conference.polls.exclude(pk__in=Document.objects.exclude(poll=None).values("poll")).first()
    assert poll is not None
    made = {"conference": conference.pk, "poll": poll.pk, "kind": "count"}
    assert secretariat.post(f"{DOCUMENTS}/lap/", made).status_code == 302
    draft = Document.objects.latest("pk")
    assert draft.number is None
    assert secretariat.post(f"{DOCUMENTS}/{draft.pk}/ban-hanh/").status_code == 302
    document = Document.objects.get(pk=draft.pk)
    assert document.number is not None
    signed = signing.pdf(1)
    secretariat.post(f"{DOCUMENTS}/{document.pk}/ban-goc/", {"file": SimpleUploadedFile("ky.pdf", signed)})
    original = document.originals.latest("version")

    stored = media_on_s3.objects()
    assert stored[document.docx.name][:2] == b"PK"
    assert stored[original.file.name] == signed
    kinds = ["docx"]
    if shutil.which("soffice") is not None:  # PDFs are made where LibreOffice is installed (CI installs it)
        assert stored[document.pdf.name].startswith(b"%PDF")
        kinds.append("pdf")
    _nothing_on_disk()

    for kind in kinds:
        response = secretariat.get(f"{DOCUMENTS}/{document.pk}/{kind}/")
        assert response.status_code == 200 and _body(response) == stored[getattr(document, kind).name]
    signed_path = f"{DOCUMENTS}/{document.pk}/ban-goc/{original.version}/"
    response = secretariat.get(signed_path)
    assert response.status_code == 200 and _body(response) == signed
    # The documents of a year are read by its members; outside them, nobody.
    outsider = client_for(User.objects.get(username="bientap"))
    for path in (f"{DOCUMENTS}/{document.pk}/docx/", signed_path):
        assert outsider.get(path).status_code in (403, 404)
        assert client_for(None).get(path).status_code == 302


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", (400, 200), colour).save(out, "PNG")
    return out.getvalue()


def test_a_news_image_and_document_uploaded_by_the_editor_are_served_by_the_site_from_the_bucket(
    media_on_s3: Any, client_for: Any, editor: User
) -> None:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from thidua.news.tests.helpers import home

    admin = client_for(editor)
    picture = _png("navy")
    uploaded = admin.post(
        reverse("wagtailimages:add"),
        {"title": "Ảnh hội nghị", "file": SimpleUploadedFile("hoi-nghi.png", picture, "image/png")},
    )
    assert uploaded.status_code == 302, uploaded.content.decode()[-2000:]
    image = get_image_model().objects.get(title="Ảnh hội nghị")
    report = b"%PDF-1.7 bao cao tong ket"
    uploaded = admin.post(
        reverse("wagtaildocs:add"),
        {"title": "Báo cáo tổng kết", "file": SimpleUploadedFile("bao-cao.pdf", report, "application/pdf")},
    )
    assert uploaded.status_code == 302, uploaded.content.decode()[-2000:]
    document = get_document_model().objects.get(title="Báo cáo tổng kết")

    site_home = home()
    site_home.banner_image = image
    site_home.save_revision().publish()
    page = client_for(None).get("/", HTTP_HOST=NEWS_HOST)
    assert page.status_code == 200
    banner = re.search(r'<img [^>]*class="banner-image"[^>]*>', page.content.decode())
    assert banner is not None
    src = re.search(r'src="([^"]+)"', banner.group(0))
    assert src is not None and src.group(1).startswith("/anh-tin/"), banner.group(0)

    shown = client_for(None).get(src.group(1), HTTP_HOST=NEWS_HOST)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    stored = media_on_s3.objects()
    rendition = image.renditions.get()
    assert _body(shown) == stored[rendition.file.name]
    assert stored[image.file.name] == picture
    # The original upload has no address; only the sizes pages show do.
    assert client_for(None).get(reverse("news_image", kwargs={"name": image.file.name})).status_code == 404

    # A news document is streamed by Wagtail's view, not a redirect to the store.
    served = client_for(None).get(document.url)
    assert served.status_code == 200 and _body(served) == report == stored[document.file.name]
    _nothing_on_disk()
