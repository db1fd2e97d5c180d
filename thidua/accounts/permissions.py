"""Who may do what. Services and views both ask these questions; nothing else decides.

Roles are bound to organizations. The secretariat of a group in a year is never stored: it is
the officers of the organization that the Leadership record names as head that year.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from thidua.accounts.models import Role, RoleKind, User

if TYPE_CHECKING:
    from thidua.organizations.models import EmulationGroup, Organization

AnyUser = User | AnonymousUser


def load_roles(user: User) -> dict[str, set[int]]:
    """The user's roles as {kind: organization ids}, kept on the user object: pages ask several
    questions per request, and the auth backend caches the user together with them."""
    roles: dict[str, set[int]] | None = getattr(user, "_thidua_roles", None)
    if roles is None:
        load_roles_of([user])
        roles = getattr(user, "_thidua_roles")  # noqa: B009 — set just above
    return roles


def load_roles_of(users: Sequence[User]) -> None:
    """`load_roles` for many users in one query (the to-do sweep reads every user's roles)."""
    roles: dict[int, dict[str, set[int]]] = {user.pk: {} for user in users}
    rows = Role.objects.filter(user_id__in=list(roles)).values_list("user_id", "kind", "organization_id")
    for user_id, role_kind, org_id in rows:
        roles[user_id].setdefault(role_kind, set()).add(org_id)
    for user in users:
        setattr(user, "_thidua_roles", roles[user.pk])  # noqa: B010 — a cache on the instance, not a field


def role_signature(user: User) -> frozenset[tuple[str, int]]:
    """Every (kind, organization) the user holds a role as: two users with the same signature may do,
    see and be asked for the same things."""
    return frozenset((kind, org_id) for kind, org_ids in load_roles(user).items() for org_id in org_ids)


def _role_orgs(user: AnyUser, kind: str) -> set[int]:
    if not user.is_authenticated:
        return set()
    return load_roles(user).get(kind, set())


def staff_parent_ids(user: AnyUser) -> set[int]:
    return _role_orgs(user, RoleKind.PARENT_STAFF)


def officer_org_ids(user: AnyUser) -> set[int]:
    return _role_orgs(user, RoleKind.OFFICER)


def editor_org_ids(user: AnyUser) -> set[int]:
    return _role_orgs(user, RoleKind.EDITOR)


def news_manager_org_ids(user: AnyUser) -> set[int]:
    return _role_orgs(user, RoleKind.NEWS_MANAGER)


def is_parent_staff(user: AnyUser, parent: Organization) -> bool:
    return parent.pk in staff_parent_ids(user)


def is_officer_of(user: AnyUser, organization: Organization) -> bool:
    return organization.pk in officer_org_ids(user)


# LeadershipRole.HEAD's value. accounts stands below organizations (DESIGN.md, Code layout), so it reads
# a group's leaderships through the group it is given rather than importing the model.
HEAD = "head"


def is_secretariat(user: AnyUser, group: EmulationGroup, year: int) -> bool:
    officer_of = officer_org_ids(user)
    if not officer_of:
        return False
    return group.leaderships.filter(year=year, role=HEAD, organization_id__in=officer_of).exists()


def can_manage_registry(user: AnyUser, parent: Organization) -> bool:
    """Groups, memberships, leadership, names, mergers and regulations belong to the parent body."""
    return is_parent_staff(user, parent)


def can_edit_profile(user: AnyUser, organization: Organization) -> bool:
    if is_officer_of(user, organization):
        return True
    return organization.parent_id is not None and organization.parent_id in staff_parent_ids(user)


def can_record_women_share(user: AnyUser, organization: Organization, year: int) -> bool:
    """An organization's share of women in a year (the tie-break's women-share step): its own officers
    and its parent body's staff, who keep its profile, and the secretariat of a group it belongs to that
    year, which gathers the facts a tie at the conference is decided on."""
    if can_edit_profile(user, organization):
        return True
    officer_of = officer_org_ids(user)
    return (
        bool(officer_of)
        and organization.memberships.filter(
            year=year,
            group__leaderships__year=year,
            group__leaderships__role=HEAD,
            group__leaderships__organization_id__in=officer_of,
        ).exists()
    )


def can_view_audit(user: AnyUser, group: EmulationGroup) -> bool:
    """Parent-body staff, and officers of the group's members in any year, may read its audit trail."""
    if is_parent_staff(user, group.parent):
        return True
    officer_of = officer_org_ids(user)
    return bool(officer_of) and group.memberships.filter(organization_id__in=officer_of).exists()


def require(allowed: bool, message: str = "Bạn không có quyền thực hiện thao tác này.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def can_run_year(user: AnyUser, group: EmulationGroup, year: int) -> bool:
    """Who runs a group's year — assigns reviews, settles scores, holds its conference: the secretariat of
    that year and the parent body's staff."""
    return is_parent_staff(user, group.parent) or is_secretariat(user, group, year)


def can_draft_agreement(user: AnyUser, group: EmulationGroup, year: int) -> bool:
    """Who opens a year and drafts its agreement: those who run it, and also the previous year's
    secretariat — next year's agreement is drafted and adopted at this year's conference, before the
    newly elected head takes over."""
    return can_run_year(user, group, year) or is_secretariat(user, group, year - 1)


def can_open_year(user: AnyUser, group: EmulationGroup, year: int) -> bool:
    """Who opens a group's year: the parent body's staff, whoever runs that year already, and the head and
    deputy of the year before — next year is opened at this year's conference, before the newly elected
    head takes over (DOMAIN.md, the year step 5)."""
    if can_run_year(user, group, year):
        return True
    officer_of = officer_org_ids(user)
    return (
        bool(officer_of) and group.leaderships.filter(year=year - 1, organization_id__in=officer_of).exists()
    )


def member_org_ids(user: AnyUser, group: EmulationGroup, year: int) -> set[int]:
    """The organizations of `group` in `year` that `user` is an officer of (usually one)."""
    officer_of = officer_org_ids(user)
    if not officer_of:
        return set()
    return set(
        group.memberships.filter(year=year, organization_id__in=officer_of).values_list(
            "organization_id", flat=True
        )
    )


def can_view_year(user: AnyUser, group: EmulationGroup, year: int) -> bool:
    """The year's dashboard, agreement and summary: its members' officers, its secretariat, the parent body."""
    return can_run_year(user, group, year) or bool(member_org_ids(user, group, year))


def can_reset_two_factor(actor: AnyUser, user: User) -> bool:
    """Who clears another account's second step when its phone is lost: the staff of the parent body the
    account works under (its organization's parent, or the parent body itself for a colleague), as they
    create those accounts and revoke their roles. Never one's own: that would skip the step."""
    staff_of = staff_parent_ids(actor)
    if not staff_of or actor.pk == user.pk:
        return False
    for organization_id, parent_id in Role.objects.filter(user=user).values_list(
        "organization_id", "organization__parent_id"
    ):
        if organization_id in staff_of or parent_id in staff_of:
            return True
    return False
