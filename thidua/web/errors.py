"""Vietnamese error pages; the project's handler403/404/500."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    body = render_to_string(
        "error.html", {"status": status, "title": title, "message": message}, request=request
    )
    return HttpResponse(body, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "Bạn không có quyền xem trang này."
    return _page(request, 403, "Không có quyền truy cập", message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "Không tìm thấy trang", "Trang bạn tìm không có hoặc đã được chuyển đi.")


def server_error(request: HttpRequest) -> HttpResponse:
    # No template context processors here: the error may come from them.
    body = render_to_string(
        "error.html",
        {
            "status": 500,
            "title": "Lỗi hệ thống",
            "message": "Đã có lỗi xảy ra; thao tác chưa được lưu. Vui lòng thử lại.",
        },
    )
    return HttpResponse(body, status=500)
