"""Registry pages. Thin: permission → form → service → response."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.lib.decimals import format_vietnamese_decimal
from thidua.lib.text import fold, vietnamese_sort_key
from thidua.organizations import selectors, services
from thidua.organizations.forms import (
    CopyMembershipsForm,
    GroupEditForm,
    GroupForm,
    LeadershipForm,
    MembershipForm,
    MergerForm,
    OrganizationCreateForm,
    ProfileForm,
    RegulationForm,
    RegulationYearForm,
    RenameForm,
    WomenShareForm,
)
from thidua.organizations.models import (
    EmulationGroup,
    Leadership,
    LeadershipRole,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationName,
    Regulation,
    WomenShare,
)
from thidua.organizations.sections import organization_sections
from thidua.web.forms import apply_service_errors
from thidua.web.pagecache import cached_for_session
from thidua.web.versioning import OVERWRITE_WORDS, StaleEdit, redrawn_data, who_and_when


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _with_names(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    return queryset.prefetch_related(
        Prefetch("names", queryset=OrganizationName.objects.order_by("valid_from"))
    )


def group_list(request: HttpRequest) -> HttpResponse:
    """Every parent body's groups with their members this year, GROUPS_PER_PAGE at a time per parent body
    (a national one has some 1,200): `cap_tren` names the parent body whose `trang` is asked for, the
    others show their first page. The members are counted in the database, for the page's groups only."""
    parents = _with_names(Organization.objects.filter(kind=OrganizationKind.PARENT_BODY))
    year = timezone.localdate().year
    paged = request.GET.get("cap_tren", "")
    by_parent = []
    for parent in parents:
        groups = (
            EmulationGroup.objects.filter(parent=parent)
            .select_related("parent")
            .annotate(members=Count("memberships", filter=Q(memberships__year=year)))
            .order_by("kind", "number", "pk")
        )
        page = Paginator(groups, GROUPS_PER_PAGE).get_page(
            request.GET.get("trang") if parent.code == paged else None
        )
        by_parent.append(
            {
                "parent": parent,
                "groups": page,
                "page_query": urlencode({"cap_tren": parent.code}),
                "can_manage": permissions.can_manage_registry(request.user, parent),
            }
        )
    return render(request, "organizations/group_list.html", {"by_parent": by_parent, "year": year})


GROUPS_PER_PAGE = 50


@dataclass(frozen=True)
class MemberRow:
    organization: Organization
    name: str  # the name valid in the year shown
    leadership: Leadership | None


def _group_years(group: EmulationGroup, this_year: int, *, next_year: bool = False) -> list[int]:
    """Every year with members or an emulation year of its own (next year, once opened), and this year;
    with `next_year` (parent-body staff, who list next year's members and head before it opens) next
    year too."""
    years = set(group.memberships.values_list("year", flat=True).distinct())
    years.update(group.years.values_list("year", flat=True))
    years.add(this_year)
    if next_year:
        years.add(this_year + 1)
    return sorted(years)


def _parse_year(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


@cached_for_session
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(EmulationGroup.objects.select_related("parent"), slug=slug)
    this_year = timezone.localdate().year
    year = _parse_year(request.GET.get("nam"), this_year)
    members = _with_names(
        Organization.objects.filter(memberships__group=group, memberships__year=year).select_related(
            "successor"
        )
    )
    leaders = {
        lead.organization_id: lead
        for lead in Leadership.objects.filter(group=group, year=year).select_related("group")
    }
    rows = sorted(
        (MemberRow(m, m.name_in_year(year), leaders.get(m.pk)) for m in members),
        key=lambda row: vietnamese_sort_key(row.name),
    )
    head = next((r for r in rows if r.leadership and r.leadership.role == LeadershipRole.HEAD), None)
    deputy = next((r for r in rows if r.leadership and r.leadership.role == LeadershipRole.DEPUTY), None)
    can_manage = permissions.can_manage_registry(request.user, group.parent)
    context = {
        "group": group,
        "year": year,
        "years": _group_years(group, this_year, next_year=can_manage),
        "rows": rows,
        "head": head,
        "deputy": deputy,
        "regulation": Regulation.objects.in_force(group.parent, year),
        "can_manage": can_manage,
        "is_secretariat": permissions.is_secretariat(request.user, group, year),
        "can_view_audit": permissions.can_view_audit(request.user, group),
        # Through the group: organizations stands below years and does not import it.
        "emulation_year": group.years.filter(year=year).first(),
        "can_view_year": permissions.can_view_year(request.user, group, year),
        "can_run_year": permissions.can_run_year(request.user, group, year),
    }
    return render(request, "organizations/group_detail.html", context)


@login_required
def group_create(request: HttpRequest, parent_code: str) -> HttpResponse:
    parent = get_object_or_404(Organization, code=parent_code, kind=OrganizationKind.PARENT_BODY)
    permissions.require(permissions.can_manage_registry(request.user, parent))
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(actor=_user(request), parent=parent, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã tạo {group}.")
            return redirect("organizations:group_detail", slug=group.slug)
    return render(
        request, "organizations/form_page.html", {"form": form, "title": f"Thêm cụm/khối — {parent}"}
    )


@login_required
def group_edit(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(EmulationGroup.objects.select_related("parent"), slug=slug)
    permissions.require(permissions.can_manage_registry(request.user, group.parent))
    form = GroupEditForm(request.POST or None, initial={"nickname": group.nickname, "notes": group.notes})
    if request.method == "POST" and form.is_valid():
        services.update_group(actor=_user(request), group=group, **form.cleaned_data)
        messages.success(request, "Đã lưu.")
        return redirect("organizations:group_detail", slug=group.slug)
    return render(request, "organizations/form_page.html", {"form": form, "title": f"Sửa {group}"})


@login_required
def group_year(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Members, head and deputy of one year, edited by parent-body staff."""
    group = get_object_or_404(EmulationGroup.objects.select_related("parent"), slug=slug)
    permissions.require(permissions.can_manage_registry(request.user, group.parent))
    actor = _user(request)
    members_qs = _with_names(Organization.objects.filter(memberships__group=group, memberships__year=year))
    # Only organizations that exist in that year: one merged away before it is never offered again.
    candidates = _with_names(
        Organization.objects.filter(parent=group.parent)
        .exclude(kind=OrganizationKind.PARENT_BODY)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=datetime.date(year, 1, 1)))
        # Nor one already a member that year of this group or another of its kind (one cluster each).
        .exclude(memberships__year=year, memberships__group__kind=group.kind)
    )
    membership_form = MembershipForm(prefix="m", candidates=candidates)
    leadership_form = LeadershipForm(prefix="l", members=members_qs)
    copy_form = CopyMembershipsForm(prefix="c", initial={"from_year": year - 1})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                membership_form = MembershipForm(request.POST, prefix="m", candidates=candidates)
                if membership_form.is_valid():
                    organization = membership_form.cleaned_data["organization"]
                    services.add_membership(actor=actor, group=group, organization=organization, year=year)
                    messages.success(request, f"Đã thêm {organization} vào năm {year}.")
                    return redirect(request.path)
            elif action == "lead":
                leadership_form = LeadershipForm(request.POST, prefix="l", members=members_qs)
                if leadership_form.is_valid():
                    services.set_leadership(
                        actor=actor, group=group, year=year, **leadership_form.cleaned_data
                    )
                    messages.success(request, "Đã lưu cụm trưởng/cụm phó.")
                    return redirect(request.path)
            elif action == "copy":
                copy_form = CopyMembershipsForm(request.POST, prefix="c")
                if copy_form.is_valid():
                    created = services.copy_memberships(
                        actor=actor, group=group, from_year=copy_form.cleaned_data["from_year"], to_year=year
                    )
                    messages.success(request, f"Đã chép {len(created)} thành viên.")
                    return redirect(request.path)
        except ValidationError as error:
            target = {"add": membership_form, "lead": leadership_form, "copy": copy_form}[str(action)]
            apply_service_errors(target, error)
    memberships = sorted(
        Membership.objects.filter(group=group, year=year).prefetch_related("organization__names"),
        key=lambda m: vietnamese_sort_key(m.organization.name_in_year(year)),
    )
    leaders = Leadership.objects.filter(group=group, year=year).select_related("organization", "group")
    suggestion = services.suggest_rotation(group=group, year=year)
    return render(
        request,
        "organizations/group_year.html",
        {
            "group": group,
            "year": year,
            "memberships": memberships,
            "leaders": leaders,
            "membership_form": membership_form,
            "leadership_form": leadership_form,
            "copy_form": copy_form,
            "suggestion": suggestion,
        },
    )


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("group", "group__parent"), pk=pk)
    permissions.require(permissions.can_manage_registry(request.user, membership.group.parent))
    try:
        services.remove_membership(actor=_user(request), membership=membership)
        messages.success(request, "Đã bỏ thành viên.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("organizations:group_year", slug=membership.group.slug, year=membership.year)


@login_required
@require_POST
def leadership_clear(request: HttpRequest, pk: int) -> HttpResponse:
    leadership = get_object_or_404(Leadership.objects.select_related("group", "group__parent"), pk=pk)
    permissions.require(permissions.can_manage_registry(request.user, leadership.group.parent))
    services.clear_leadership(actor=_user(request), leadership=leadership)
    messages.success(request, "Đã bỏ.")
    return redirect("organizations:group_year", slug=leadership.group.slug, year=leadership.year)


@cached_for_session
def organization_list(request: HttpRequest) -> HttpResponse:
    """Every organization, in Vietnamese dictionary order, a page at a time, searched without diacritics.
    The order and the page are the database's (`sort_key`), so the page costs the same few queries with
    forty organizations or twelve thousand (issue 16)."""
    query = request.GET.get("q", "").strip()
    organizations = Organization.objects.select_related("parent").prefetch_related("names", "parent__names")
    order: list[Any] = ["sort_key", "pk"]
    if words := fold(query).split():
        # search_text holds every name the organization has had, folded: "binh" finds "Bình". Those that
        # hold the words as typed, one after another, come first.
        organizations = organizations.filter(selectors.names_match(words)).annotate(
            phrase=Case(
                When(selectors.names_hold_phrase(words), then=0), default=1, output_field=IntegerField()
            )
        )
        order = ["phrase", *order]
    page = Paginator(organizations.order_by(*order), ORGANIZATIONS_PER_PAGE).get_page(
        request.GET.get("trang")
    )
    return render(
        request,
        "organizations/organization_list.html",
        {"organizations": page, "items": page, "query": query},
    )


ORGANIZATIONS_PER_PAGE = 50


def organization_detail(request: HttpRequest, code: str) -> HttpResponse:
    organization = get_object_or_404(
        _with_names(Organization.objects.select_related("parent")).prefetch_related(
            Prefetch("predecessors", queryset=_with_names(Organization.objects.all())),
        ),
        code=code,
    )
    successor = (
        _with_names(Organization.objects.filter(pk=organization.successor_id)).first()
        if organization.successor_id
        else None
    )
    memberships = (
        Membership.objects.filter(organization=organization).select_related("group").order_by("-year")
    )
    leaderships = {
        (lead.group_id, lead.year): lead
        for lead in Leadership.objects.filter(organization=organization).select_related("group")
    }
    history = [
        {
            "membership": m,
            "leadership": leaderships.get((m.group_id, m.year)),
            "name": organization.name_in_year(m.year),
        }
        for m in memberships
    ]
    parent = organization.parent
    context = {
        "organization": organization,
        **organization_sections(organization),
        "names": list(organization.names.all()),
        "successor": successor,
        "predecessors": list(organization.predecessors.all()),
        "history": history,
        "can_edit_profile": permissions.can_edit_profile(request.user, organization),
        "can_manage": parent is not None and permissions.can_manage_registry(request.user, parent),
        "regulations": (
            Regulation.objects.filter(parent=organization).order_by("-valid_from_year")
            if organization.kind == OrganizationKind.PARENT_BODY
            else []
        ),
        "can_manage_own": permissions.can_manage_registry(request.user, organization),
        # The figures the tie-break's women-share step reads, for those signed in: a fact a decision
        # may rest on, shown with its source.
        "women_shares": (
            [
                {"year": s.year, "percent": format_vietnamese_decimal(s.percent), "source": s.source}
                for s in organization.women_shares.order_by("-year")
            ]
            if request.user.is_authenticated
            else []
        ),
        # Who holds office today, for those signed in; the whole list by date is the officers' page.
        "officeholders": (
            [
                h
                for h in organization.officeholders.order_by("position", "-started_on")
                if h.term().covers(timezone.localdate())
            ]
            if request.user.is_authenticated
            else []
        ),
        "can_record_women_share": permissions.can_record_women_share(
            request.user, organization, timezone.localdate().year
        ),
    }
    return render(request, "organizations/organization_detail.html", context)


@login_required
def organization_create(request: HttpRequest, parent_code: str) -> HttpResponse:
    parent = get_object_or_404(Organization, code=parent_code, kind=OrganizationKind.PARENT_BODY)
    permissions.require(permissions.can_manage_registry(request.user, parent))
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.create_organization(
                actor=_user(request), parent=parent, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã thêm {organization}.")
            return redirect("organizations:organization_detail", code=organization.code)
    return render(request, "organizations/form_page.html", {"form": form, "title": f"Thêm đơn vị — {parent}"})


def _organization_for_registry(request: HttpRequest, code: str) -> Organization:
    organization = get_object_or_404(_with_names(Organization.objects.select_related("parent")), code=code)
    parent = organization.parent
    permissions.require(parent is not None and permissions.can_manage_registry(request.user, parent))
    return organization


@login_required
def organization_rename(request: HttpRequest, code: str) -> HttpResponse:
    organization = _organization_for_registry(request, code)
    form = RenameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_organization(actor=_user(request), organization=organization, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã ghi tên mới.")
            return redirect("organizations:organization_detail", code=organization.code)
    return render(
        request, "organizations/form_page.html", {"form": form, "title": f"Đổi tên — {organization}"}
    )


@login_required
def organization_merge(request: HttpRequest, code: str) -> HttpResponse:
    organization = _organization_for_registry(request, code)
    candidates = _with_names(
        Organization.objects.filter(parent=organization.parent, ended_on__isnull=True).exclude(
            pk=organization.pk
        )
    )
    form = MergerForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_merger(
                actor=_user(request),
                absorbed=organization,
                successor=form.cleaned_data["successor"],
                on=form.cleaned_data["on"],
                source=form.cleaned_data["source"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã ghi nhận sáp nhập.")
            return redirect("organizations:organization_detail", code=organization.code)
    return render(
        request,
        "organizations/form_page.html",
        {"form": form, "title": f"Ghi nhận sáp nhập — {organization}"},
    )


@login_required
def organization_women_share(request: HttpRequest, code: str) -> HttpResponse:
    """Record or correct an organization's share of women for a year (`?nam=` picks the year shown)."""
    organization = get_object_or_404(_with_names(Organization.objects.all()), code=code)
    year = _parse_year(request.GET.get("nam"), timezone.localdate().year)
    denied = "Chỉ cán bộ thi đua của đơn vị, cơ quan cấp trên hoặc thường trực cụm được ghi tỷ lệ nữ."
    permissions.require(permissions.can_record_women_share(request.user, organization, year), denied)
    existing = WomenShare.objects.filter(organization=organization, year=year).first()
    initial = WomenShareForm.initial_for(existing) if existing else {"year": year}
    form = WomenShareForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            share = services.record_women_share(
                actor=_user(request), organization=organization, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã ghi tỷ lệ nữ năm {share.year}: {form.data['percent'].strip()}%.")
            return redirect("organizations:organization_detail", code=organization.code)
    return render(
        request, "organizations/form_page.html", {"form": form, "title": f"Tỷ lệ nữ — {organization}"}
    )


@login_required
def organization_profile(request: HttpRequest, code: str) -> HttpResponse:
    organization = get_object_or_404(_with_names(Organization.objects.all()), code=code)
    permissions.require(
        permissions.can_edit_profile(request.user, organization),
        "Bạn chỉ được sửa thông tin của đơn vị mình.",
    )
    form = ProfileForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        fresh = Organization.objects.get(pk=organization.pk)
        services.update_profile(
            actor=_user(request),
            organization=fresh,
            changes={f: form.cleaned_data[f] for f in ProfileForm.Meta.fields},
        )
        messages.success(request, "Đã lưu thông tin đơn vị.")
        return redirect("organizations:organization_detail", code=organization.code)
    return render(
        request, "organizations/form_page.html", {"form": form, "title": f"Thông tin đơn vị — {organization}"}
    )


def regulation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    regulation = get_object_or_404(Regulation.objects.select_related("parent"), pk=pk)
    return render(
        request,
        "organizations/regulation_detail.html",
        {
            "regulation": regulation,
            "can_manage": permissions.can_manage_registry(request.user, regulation.parent),
        },
    )


@login_required
def regulation_edit(request: HttpRequest, parent_code: str, year: int) -> HttpResponse:
    """Edit the version that starts in `year`; if none starts then, start one from the version in force."""
    parent = get_object_or_404(Organization, code=parent_code, kind=OrganizationKind.PARENT_BODY)
    permissions.require(permissions.can_manage_registry(request.user, parent))
    existing = Regulation.objects.filter(parent=parent, valid_from_year=year).first()
    template = existing or Regulation.objects.in_force(parent, year)
    instance = existing or (Regulation.objects.get(pk=template.pk) if template else Regulation(parent=parent))
    if existing is None and template is not None:
        instance.pk = None
        instance._state.adding = True
        instance.valid_from_year = year
    form = RegulationForm(
        request.POST or None, instance=instance, initial={"version": existing.version if existing else 0}
    )
    if request.method == "POST" and form.is_valid():
        try:
            regulation = services.save_regulation(
                actor=_user(request),
                parent=parent,
                valid_from_year=year,
                values=form.service_values(),
                version=form.cleaned_data.get("version"),
            )
        except StaleEdit as stale:
            form = RegulationForm(redrawn_data(request.POST, stale), instance=stale.current)
            form.is_valid()
            form.add_error(None, [*stale.messages, OVERWRITE_WORDS])
        else:
            messages.success(request, f"Đã lưu quy chế áp dụng từ năm {year}.")
            return redirect("organizations:regulation_detail", pk=regulation.pk)
    title = f"Quy chế áp dụng từ năm {year}" + ("" if existing else " (phiên bản mới)")
    saved_by = who_and_when(existing) if existing is not None and existing.changed_at else ""
    return render(
        request, "organizations/form_page.html", {"form": form, "title": title, "saved_by": saved_by}
    )


@login_required
def regulation_new(request: HttpRequest, parent_code: str) -> HttpResponse:
    parent = get_object_or_404(Organization, code=parent_code, kind=OrganizationKind.PARENT_BODY)
    permissions.require(permissions.can_manage_registry(request.user, parent))
    form = RegulationYearForm(request.GET or None)
    if form.is_valid():
        return redirect(
            "organizations:regulation_edit",
            parent_code=parent.code,
            year=form.cleaned_data["valid_from_year"],
        )
    return render(
        request,
        "organizations/form_page.html",
        {"form": form, "title": "Phiên bản quy chế mới", "method": "get"},
    )
