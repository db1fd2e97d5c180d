"""The draft agreement's edit forms carry the version of what they showed (issue 13): two tabs editing
different criteria keep both, a stale tab is refused with who saved, when and what is stored, and a
second save made knowing that overwrites."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from thidua.accounts.models import User
from thidua.agreements import services
from thidua.agreements.models import Agreement, Criterion
from thidua.audit.models import AuditEvent
from thidua.web.versioning import StaleEdit
from thidua.years.models import EmulationYear

Y = "/nam-thi-dua/vusta-cum-4/2027"


def _year_2027(staff: User) -> EmulationYear:
    from thidua.organizations import services as registry
    from thidua.organizations.models import EmulationGroup
    from thidua.years import services as year_services

    cluster4 = EmulationGroup.objects.get(slug="vusta-cum-4")
    registry.copy_memberships(actor=staff, group=cluster4, from_year=2026, to_year=2027)
    return year_services.open_year(actor=staff, group=cluster4, year=2027)


@pytest.fixture
def quangtri(db: Any) -> User:
    """Quảng Trị heads Cụm 4 in 2026 (demo), so its officer drafts the 2027 agreement."""
    return User.objects.get(username="quangtri")


@pytest.fixture
def draft(db: Any, staff: User, quangtri: User) -> Agreement:
    return services.create_agreement_from_template(actor=quangtri, emulation_year=_year_2027(staff))


def _criterion_form(criterion: Criterion, **changes: str) -> dict[str, Any]:
    """What the criterion's edit page posts, as drawn now, with `changes` typed in."""
    data = {
        "version": criterion.version,
        "group": criterion.group_id,
        "code": criterion.code,
        "text": criterion.text,
        "guidance": criterion.guidance,
        "kind": criterion.kind,
        "max_points": str(criterion.max_points),
        "target": "" if criterion.target is None else str(criterion.target),
        "points_per_unit": "" if criterion.points_per_unit is None else str(criterion.points_per_unit),
    }
    if criterion.evidence_required:
        data["evidence_required"] = "on"
    return {**data, **changes}


def _values(criterion: Criterion, **changes: Any) -> dict[str, Any]:
    return {**{f: getattr(criterion, f) for f in services.CRITERION_FIELDS}, **changes}


def _events(verb: str) -> int:
    return AuditEvent.objects.filter(verb=verb).count()


@pytest.mark.django_db
def test_two_tabs_editing_different_criteria_keep_both(
    client_for: Any, quangtri: User, draft: Agreement
) -> None:
    first, second = draft.criteria.get(code="1.1"), draft.criteria.get(code="1.2")
    tab_a, tab_b = client_for(quangtri), client_for(quangtri)
    # Both pages are drawn before either saves.
    page_a = tab_a.get(f"{Y}/giao-uoc/tieu-chi/{first.pk}/").context["form"]
    page_b = tab_b.get(f"{Y}/giao-uoc/tieu-chi/{second.pk}/").context["form"]
    assert page_a.initial["version"] == page_b.initial["version"] == 1
    saved_a = tab_a.post(f"{Y}/giao-uoc/tieu-chi/{first.pk}/", _criterion_form(first, max_points="4"))
    saved_b = tab_b.post(f"{Y}/giao-uoc/tieu-chi/{second.pk}/", _criterion_form(second, max_points="3"))
    assert saved_a.status_code == saved_b.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.max_points, second.max_points) == (Decimal(4), Decimal(3))
    assert (first.version, second.version) == (2, 2)
    assert first.changed_by == second.changed_by == quangtri


@pytest.mark.django_db
def test_the_same_criterion_from_a_stale_tab_is_refused_with_who_when_and_what_is_stored_then_overwrites(
    client_for: Any, quangtri: User, staff: User, draft: Agreement
) -> None:
    criterion = draft.criteria.get(code="1.1")
    client = client_for(quangtri)
    stale_form = _criterion_form(criterion, text="Nội dung của tab cũ")
    services.save_criterion(
        actor=staff,
        agreement=draft,
        criterion=criterion,
        values=_values(criterion, text="Nội dung đã sửa ở tab khác", max_points=Decimal("4.5")),
        version=1,
    )
    before = _events("criterion.update")
    refused = client.post(f"{Y}/giao-uoc/tieu-chi/{criterion.pk}/", stale_form)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert f"Tiêu chí 1.1 đã được sửa bởi {staff}" in page and "lúc " in page
    assert "Giá trị đang lưu: 1.1 «Nội dung đã sửa ở tab khác», tối đa 4,5 điểm." in page
    assert "Bấm Lưu lần nữa để ghi đè" in page
    assert "Nội dung của tab cũ" in page  # what the user typed stays on the form
    assert 'name="version" value="2"' in page
    criterion.refresh_from_db()
    assert criterion.text == "Nội dung đã sửa ở tab khác" and criterion.version == 2
    assert _events("criterion.update") == before
    # The second save knows what is stored: it overwrites.
    again = client.post(f"{Y}/giao-uoc/tieu-chi/{criterion.pk}/", {**stale_form, "version": 2})
    assert again.status_code == 302
    criterion.refresh_from_db()
    assert criterion.text == "Nội dung của tab cũ" and criterion.version == 3
    assert criterion.changed_by == quangtri


@pytest.mark.django_db
def test_a_stale_agreement_text_is_refused_and_writes_nothing(
    client_for: Any, quangtri: User, staff: User, draft: Agreement
) -> None:
    # The parent body's staff edits on the page; the year's drafting secretariat saved in between.
    client = client_for(staff)
    form = client.get(f"{Y}/giao-uoc/").context["text_form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    assert data["version"] == draft.revision == 1 and draft.version == 1
    services.update_agreement_text(
        actor=quangtri, agreement=draft, values={"title": "Giao ước đã sửa ở tab khác"}, version=1
    )
    before = _events("agreement.update")
    refused = client.post(f"{Y}/giao-uoc/noi-dung/", {**data, "title": "Giao ước của tôi"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert f"Nội dung giao ước đã được sửa bởi {quangtri}" in page
    assert "«Giao ước đã sửa ở tab khác»" in page and 'value="Giao ước của tôi"' in page
    draft.refresh_from_db()
    assert draft.title == "Giao ước đã sửa ở tab khác" and draft.revision == 2
    assert _events("agreement.update") == before
    # The amendment number is not the edit counter.
    assert draft.version == 1
    again = client.post(f"{Y}/giao-uoc/noi-dung/", {**data, "title": "Giao ước của tôi", "version": 2})
    assert again.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.revision, draft.version) == ("Giao ước của tôi", 3, 1)
    assert draft.changed_by == staff


@pytest.mark.django_db
def test_a_stale_criterion_group_is_refused_then_overwrites(
    client_for: Any, quangtri: User, staff: User, draft: Agreement
) -> None:
    group = draft.criterion_groups.get(code="1")
    client = client_for(quangtri)
    url = f"{Y}/giao-uoc/nhom/{group.pk}/"
    data = {**client.get(url).context["form"].initial, "title": "Tên của tôi"}
    services.save_criterion_group(
        actor=staff,
        agreement=draft,
        criterion_group=group,
        values={"code": "1", "title": "Tên ở tab khác", "max_points": group.max_points},
        version=1,
    )
    refused = client.post(url, data).content.decode()
    assert "Nhóm tiêu chí 1 đã được sửa bởi" in refused and "1 «Tên ở tab khác»" in refused
    group.refresh_from_db()
    assert (group.title, group.version) == ("Tên ở tab khác", 2)
    assert client.post(url, {**data, "version": 2}).status_code == 302
    group.refresh_from_db()
    assert (group.title, group.version) == ("Tên của tôi", 3)


@pytest.mark.django_db
def test_deleting_a_criterion_someone_edited_since_it_was_shown_is_refused(
    client_for: Any, quangtri: User, staff: User, draft: Agreement
) -> None:
    criterion = draft.criteria.get(code="1.1")
    client = client_for(staff)
    page = client.get(f"{Y}/giao-uoc/").content.decode()
    assert re.search(
        rf'/tieu-chi/{criterion.pk}/xoa/"[^>]*>[^<]*<input[^>]*name="csrfmiddlewaretoken"[^>]*>'
        r'<input type="hidden" name="version" value="1">',
        page,
    )
    services.save_criterion(
        actor=quangtri,
        agreement=draft,
        criterion=criterion,
        values=_values(criterion, max_points=Decimal(2)),
        version=1,
    )
    with pytest.raises(StaleEdit, match=r"Tiêu chí 1\.1 đã được sửa"):
        services.delete_criterion(actor=staff, criterion=criterion, version=1)
    response = client.post(f"{Y}/giao-uoc/tieu-chi/{criterion.pk}/xoa/", {"version": "1"}, follow=True)
    words = response.content.decode()
    assert f"Tiêu chí 1.1 đã được sửa bởi {quangtri}" in words and "tối đa 2 điểm" in words
    assert "bấm Xóa lần nữa" in words
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    assert _events("criterion.delete") == 0
    assert re.search(rf'/tieu-chi/{criterion.pk}/xoa/".*?name="version" value="2"', words)
    # Seen, and deleted knowingly.
    client.post(f"{Y}/giao-uoc/tieu-chi/{criterion.pk}/xoa/", {"version": "2"})
    assert not Criterion.objects.filter(pk=criterion.pk).exists()
    assert _events("criterion.delete") == 1


@pytest.mark.django_db
def test_a_criterion_deleted_in_another_tab_is_not_saved_and_the_refusal_says_so(
    quangtri: User, staff: User, draft: Agreement
) -> None:
    criterion = draft.criteria.get(code="1.1")
    services.delete_criterion(actor=staff, criterion=criterion, version=1)
    with pytest.raises(ValidationError, match=r"Tiêu chí 1\.1 đã bị xóa lúc .* bởi"):
        services.save_criterion(
            actor=quangtri, agreement=draft, criterion=criterion, values=_values(criterion), version=1
        )


@pytest.mark.django_db
def test_a_form_without_a_version_still_saves_as_the_api_and_the_demo_loader_do(
    client_for: Any, quangtri: User, draft: Agreement
) -> None:
    criterion = draft.criteria.get(code="1.1")
    group = draft.criterion_groups.get(code="1")
    services.save_criterion(
        actor=quangtri, agreement=draft, criterion=criterion, values=_values(criterion, text="A")
    )
    services.update_agreement_text(actor=quangtri, agreement=draft, values={"goals": "Mục tiêu mới"})
    services.save_criterion_group(
        actor=quangtri,
        agreement=draft,
        criterion_group=group,
        values={"code": "1", "title": "Nhóm một", "max_points": group.max_points},
    )
    client = client_for(quangtri)
    form = _criterion_form(criterion, text="B")
    del form["version"]
    assert client.post(f"{Y}/giao-uoc/tieu-chi/{criterion.pk}/", form).status_code == 302
    criterion.refresh_from_db()
    draft.refresh_from_db()
    assert (criterion.text, criterion.version, draft.goals, draft.revision) == ("B", 3, "Mục tiêu mới", 2)
    # A new criterion has no version to show; it starts at 1, saved by whoever added it.
    added = services.save_criterion(
        actor=quangtri,
        agreement=draft,
        criterion=None,
        values=_values(criterion, code="1.9", text="Mới"),
    )
    assert (added.version, added.changed_by) == (1, quangtri) and added.changed_at is not None
    client.post(f"{Y}/giao-uoc/tieu-chi/{added.pk}/xoa/")
    assert not Criterion.objects.filter(pk=added.pk).exists()


@pytest.mark.django_db
def test_each_save_writes_one_audit_event_saying_what_changed(quangtri: User, draft: Agreement) -> None:
    criterion = draft.criteria.get(code="1.1")
    before = _events("criterion.update")
    services.save_criterion(
        actor=quangtri,
        agreement=draft,
        criterion=criterion,
        values=_values(criterion, max_points=Decimal(3)),
        version=1,
    )
    criterion.refresh_from_db()  # the page drawn again, as the next save's form shows it
    services.save_criterion(
        actor=quangtri,
        agreement=draft,
        criterion=criterion,
        values=_values(criterion, text="Đổi lời"),
        version=2,
    )
    events = list(
        AuditEvent.objects.filter(verb="criterion.update", target_id=str(criterion.pk)).order_by("seq")
    )
    assert _events("criterion.update") == before + 2 == len(events)
    assert set(events[0].data) == {"max_points"} and set(events[1].data) == {"text"}
    services.update_agreement_text(actor=quangtri, agreement=draft, values={"title": "Tên mới"}, version=1)
    texts = AuditEvent.objects.filter(verb="agreement.update", target_id=str(draft.pk))
    assert texts.count() == 1 and set(texts.get().data) == {"title"}


# --- Two saves at once, on PostgreSQL ------------------------------------------------------------------


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers with its own lock; the row lock matters on PostgreSQL")


@pytest.mark.usefixtures("committed_demo")
def test_two_saves_of_one_criterion_from_the_same_version_at_once_write_one_and_refuse_the_other() -> None:
    _postgresql_only()
    from tests.test_concurrency import _at_once

    staff = User.objects.get(username="vusta")
    agreement = services.create_agreement_from_template(actor=staff, emulation_year=_year_2027(staff))
    criterion = agreement.criteria.get(code="1.1")
    texts = ["Lời của phiên thứ nhất", "Lời của phiên thứ hai"]
    results, failures = _at_once(
        2,
        lambda i: services.save_criterion(
            actor=staff,
            agreement=agreement,
            criterion=criterion,
            values=_values(criterion, text=texts[i]),
            version=1,
        ),
    )
    assert len(results) == 1 and len(failures) == 1, failures
    assert isinstance(failures[0], StaleEdit) and "Tiêu chí 1.1 đã được sửa" in str(failures[0])
    criterion.refresh_from_db()
    assert criterion.version == 2 and criterion.text in texts
    assert AuditEvent.objects.filter(verb="criterion.update", target_id=str(criterion.pk)).count() == 1


@pytest.mark.django_db
def test_a_criterion_page_shows_its_points_as_they_are_typed_with_a_comma(
    client_for: Any, quangtri: User, draft: Agreement
) -> None:
    criterion = draft.criteria.get(code="1.1")
    Criterion.objects.filter(pk=criterion.pk).update(max_points=Decimal("7.50"))
    page = client_for(quangtri).get(f"{Y}/giao-uoc/tieu-chi/{criterion.pk}/").content.decode()
    field = re.search(r'<input[^>]*name="max_points"[^>]*>', page)
    assert field is not None and 'value="7,5"' in field.group(0), field
