"""Vietnamese error pages: the project's handler400/403/404/500 and its CSRF failure view.

Django's own pages for these are English. A bad Host header (DisallowedHost) is a SuspiciousOperation:
with DEBUG off Django answers it through handler400, so the page below is what such a request gets too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _page(request: HttpRequest | None, status: int, title: str, message: str) -> HttpResponse:
    body = render_to_string(
        "error.html", {"status": status, "title": title, "message": message}, request=request
    )
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # No request context: the request itself is what went wrong (a bad Host header makes every
    # absolute address, and so some context processors, raise again).
    return _page(
        None,
        400,
        "Yêu cầu không hợp lệ",
        "Máy chủ không hiểu yêu cầu này (địa chỉ hoặc dữ liệu gửi lên không đúng). "
        "Hãy mở lại trang từ trang chủ.",
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "Bạn không có quyền xem trang này."
    return _page(request, 403, "Không có quyền truy cập", message)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a form sent without its token, or with an old one (the page was
    open before signing in again), or from a browser that refuses cookies."""
    return _page(
        request,
        403,
        "Biểu mẫu đã hết hiệu lực",
        "Biểu mẫu này đã cũ hoặc trình duyệt chưa gửi cookie của thidua, nên dữ liệu chưa được lưu. "
        "Hãy tải lại trang, nhập lại rồi gửi; nếu vẫn lỗi, hãy bật cookie cho trang này.",
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "Không tìm thấy trang", "Trang bạn tìm không có hoặc đã được chuyển đi.")


def server_error(request: HttpRequest) -> HttpResponse:
    # No template context processors here: the error may come from them.
    return _page(None, 500, "Lỗi hệ thống", "Đã có lỗi xảy ra; thao tác chưa được lưu. Vui lòng thử lại.")
