"""Who may enter the news admin (/quan-tri-tin/), decided before Wagtail's own check.

Wagtail sends a signed-in user without the admin permission to its login page, which is the project's
(`WAGTAILADMIN_LOGIN_URL`); that page sends a signed-in user back to `next`, the admin, which sends them
to the login again: browsers give up with "too many redirects". Such a user is told instead, in
Vietnamese, that their account has no role on any news site and who gives one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

NO_NEWS_ROLE = (
    "Tài khoản của bạn chưa có quyền biên tập hay duyệt tin trên trang tin nào. Quyền này do quản trị "
    "của đơn vị có trang tin cấp (nhóm «Biên tập tin» hoặc «Lãnh đạo duyệt tin» của đơn vị)."
)


class NewsAdminAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            request.path.startswith(settings.NEWS_ADMIN_PREFIX)
            and user.is_authenticated
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            raise PermissionDenied(NO_NEWS_ROLE)
        return self.get_response(request)
