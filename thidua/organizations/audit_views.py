"""The audit trail of a group, for those who may read it: a page of the registry, which knows groups."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from thidua.accounts import permissions
from thidua.audit import labels
from thidua.audit.models import AuditEvent
from thidua.organizations.models import EmulationGroup


@login_required
def group_audit(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(EmulationGroup.objects.select_related("parent"), slug=slug)
    permissions.require(
        permissions.can_view_audit(request.user, group), "Bạn không có quyền xem nhật ký của cụm này."
    )
    events = AuditEvent.objects.filter(group=group).select_related("actor").order_by("-seq")
    page = Paginator(events, 50).get_page(request.GET.get("trang"))
    rows = [
        {"event": e, "action": labels.verb_label(e.verb), "details": labels.details(e.verb, e.data)}
        for e in page
    ]
    return render(request, "audit/group_audit.html", {"group": group, "page": page, "rows": rows})
