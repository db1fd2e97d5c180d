"""The agreement's to-do: a member's head signs it while it is open for signing."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from thidua.accounts import permissions
from thidua.accounts.models import User
from thidua.agreements.models import AgreementStatus
from thidua.years.selectors import open_years_of_members
from thidua.years.todos import Todo, todo


def signing_todos(user: User, today: date) -> list[Todo]:
    """Sign the agreement: for each organization of the officer that has not signed yet."""
    officer_of = permissions.officer_org_ids(user)
    if not officer_of:
        return []
    years = open_years_of_members(organization_ids=officer_of)
    items: list[Todo] = []
    for emulation_year in years:
        group, year = emulation_year.group, emulation_year.year
        mine = permissions.member_org_ids(user, group, year)
        where = f"{group} năm {year}"
        agreement = (
            emulation_year.agreements.exclude(status=AgreementStatus.SUPERSEDED).order_by("-version").first()
        )
        agreement_url = reverse("years:agreement", args=[group.slug, year])
        if agreement and agreement.status == AgreementStatus.SIGNING:
            signed = set(agreement.signatures.values_list("organization_id", flat=True))
            if mine - signed:
                # The year's signing deadline is the first agreement's (January, by the regulation): an
                # amendment opened mid-year would be late from its first second. It has no deadline of
                # its own, so none is shown, and its to-do says which version waits.
                amended = agreement.version > 1
                what = f"Ký giao ước sửa đổi lần {agreement.version - 1}" if amended else "Ký giao ước"
                items.append(
                    todo(
                        key=f"sign:{agreement.pk}:{sorted(mine - signed)[0]}",
                        text=f"{what} — {where}",
                        url=agreement_url,
                        due=None if amended else emulation_year.signing_due,
                        today=today,
                        emulation_year_id=emulation_year.pk,
                    )
                )
    return sorted(items, key=lambda t: (t.due or date.max, t.text))
