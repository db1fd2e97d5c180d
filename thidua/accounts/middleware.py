"""Until a session has passed the second sign-in step, it reaches nothing but the step itself.

Placed after django-otp's OTPMiddleware, which says whether the session is verified. Every other URL — the
pages, the Django admin, the news admin, the API — answers with a redirect to the step (the page asked
for kept as `next`), or for the API a 403 in its JSON error shape (thidua/api/errors.py). Open meanwhile:
the step's two pages, signing out, and static files. A request with no session cookie is passed on at
once: it cannot be signed in, and reading the session would add `Vary: Cookie` to public pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from thidua.accounts import second_step
from thidua.accounts.rules import SecondStep

STEP_PAGES = {SecondStep.VERIFY: "accounts:two_factor", SecondStep.ENROL: "accounts:two_factor_enrol"}
API_REFUSAL: dict[str, dict[str, object]] = {
    "loi": {
        "ma": "chua_xac_thuc_hai_buoc",
        "thong_bao": "Phiên đăng nhập chưa qua bước xác thực hai bước: nhập mã xác thực trên trang web trước.",
        "truong": None,
        "chi_tiet": [],
    }
}


@functools.cache
def _open_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in (*STEP_PAGES.values(), "accounts:logout", "favicon"))


@functools.cache
def _api_prefix() -> str:
    return reverse("api:openapi-json").removesuffix("openapi.json")


class SecondStepMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        step = second_step.pending(request)
        path = request.path_info
        if (
            step is SecondStep.NONE
            or path in _open_paths()
            or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
        ):
            return self.get_response(request)
        if path.startswith(_api_prefix()):
            return JsonResponse(API_REFUSAL, status=403, json_dumps_params={"ensure_ascii": False})
        target = reverse(STEP_PAGES[step])
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
