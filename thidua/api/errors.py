"""One JSON shape for every API error, with a Vietnamese message a client can show as is:

    {"loi": {"ma": "khong_co_quyen", "thong_bao": "…", "truong": null, "chi_tiet": []}}

`ma` is a stable code for programs, `truong` names the field at fault (or null), and `chi_tiet` lists
every problem when there are several (a batch of scores), each with its own field and message.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


class Problem(Schema):
    truong: str | None
    thong_bao: str


class ErrorBody(Schema):
    ma: str
    thong_bao: str
    truong: str | None
    chi_tiet: list[Problem]


class Error(Schema):
    loi: ErrorBody


class ApiProblem(Exception):
    """Raised by endpoints for an answer that is not a success: status, code, message, field."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        details: list[tuple[str | None, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = details or []


def not_found(message: str) -> ApiProblem:
    return ApiProblem(404, "khong_tim_thay", message)


UNAUTHENTICATED = (
    "Cần mã truy cập API hợp lệ trong tiêu đề Authorization: Bearer <mã>. Mã bị thu hồi không còn dùng được."
)
NOT_FOUND = "Không tìm thấy dữ liệu được yêu cầu."
FORBIDDEN = "Bạn không có quyền thực hiện thao tác này."


def body(
    code: str, message: str, field: str | None = None, details: list[tuple[str | None, str]] | None = None
) -> dict[str, Any]:
    return {
        "loi": {
            "ma": code,
            "thong_bao": message,
            "truong": field,
            "chi_tiet": [{"truong": f, "thong_bao": m} for f, m in (details or [])],
        }
    }


def _field_path(location: list[Any] | tuple[Any, ...]) -> str | None:
    """("body", "payload", "scores", 2, "value") → "scores[2].value"; the request part is dropped."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
        # Ninja nests a body under the name of the view's argument.
        if parts and parts[0] in ("payload", "filters", "paging"):
            parts = parts[1:]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or None


def _message(error: dict[str, Any]) -> str:
    """Pydantic's error, told in Vietnamese."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "Thiếu giá trị bắt buộc."
    if kind == "value_error":
        # Our own validators raise ValueError with a Vietnamese message already.
        return str(ctx.get("error", "Giá trị không hợp lệ."))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Phải là số nguyên."
    if kind in ("string_type", "string_unicode"):
        return "Phải là chuỗi ký tự."
    if kind in ("bool_type", "bool_parsing"):
        return "Phải là true hoặc false."
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return "Sai kiểu dữ liệu (cần danh sách hoặc đối tượng JSON)."
    if kind == "greater_than_equal":
        return f"Phải lớn hơn hoặc bằng {ctx.get('ge')}."
    if kind == "less_than_equal":
        return f"Phải nhỏ hơn hoặc bằng {ctx.get('le')}."
    if kind == "too_short":
        return f"Cần ít nhất {ctx.get('min_length')} phần tử."
    if kind == "too_long":
        return f"Nhiều nhất {ctx.get('max_length')} phần tử."
    if kind == "string_too_long":
        return f"Dài tối đa {ctx.get('max_length')} ký tự."
    if kind == "string_too_short":
        return f"Cần ít nhất {ctx.get('min_length')} ký tự."
    if kind == "string_pattern_mismatch":
        return "Không đúng định dạng."
    if kind == "extra_forbidden":
        return "Trường không được hỗ trợ."
    if kind == "json_invalid":
        return "Nội dung gửi lên không phải JSON hợp lệ."
    return "Giá trị không hợp lệ."


def _response(api: NinjaAPI, request: HttpRequest, status: int, payload: dict[str, Any]) -> HttpResponse:
    response = api.create_response(request, payload, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="thidua"'
    return response


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers (English `detail`) with the shape above. (Handlers take `exc: Any`:
    ninja's annotation for them accepts no narrower type.)"""

    def problem(request: HttpRequest, exc: Any) -> HttpResponse:
        return _response(api, request, exc.status, body(exc.code, exc.message, exc.field, exc.details))

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        return _response(api, request, 401, body("chua_xac_thuc", UNAUTHENTICATED))

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if exc.status_code == 400:
            return _response(
                api,
                request,
                400,
                body("yeu_cau_khong_hop_le", "Nội dung yêu cầu không đọc được (cần JSON hợp lệ)."),
            )
        if exc.status_code == 401:
            return unauthenticated(request, exc)
        if exc.status_code == 403:
            return _response(api, request, 403, body("khong_co_quyen", FORBIDDEN))
        if exc.status_code == 404:
            return _response(api, request, 404, body("khong_tim_thay", NOT_FOUND))
        return _response(api, request, exc.status_code, body("loi_yeu_cau", "Yêu cầu không thực hiện được."))

    def forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return _response(api, request, 403, body("khong_co_quyen", str(exc) or FORBIDDEN))

    def missing(request: HttpRequest, exc: Any) -> HttpResponse:
        return _response(api, request, 404, body("khong_tim_thay", NOT_FOUND))

    def invalid_request(request: HttpRequest, exc: Any) -> HttpResponse:
        details = [(_field_path(e.get("loc", ())), _message(e)) for e in exc.errors]
        field, message = details[0] if details else (None, "Dữ liệu gửi lên không hợp lệ.")
        return _response(api, request, 422, body("du_lieu_khong_hop_le", message, field, details))

    def refused(request: HttpRequest, exc: Any) -> HttpResponse:
        # A service's own check (out of range, already submitted): the same messages as the web form.
        if hasattr(exc, "error_dict"):
            details = [(f if f != "__all__" else None, m) for f, ms in exc.message_dict.items() for m in ms]
        else:
            details = [(None, m) for m in exc.messages]
        field, message = details[0]
        return _response(api, request, 422, body("khong_hop_le", message, field, details))

    api.add_exception_handler(ApiProblem, problem)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(Http404, missing)
    api.add_exception_handler(ObjectDoesNotExist, missing)
    api.add_exception_handler(NinjaValidationError, invalid_request)
    api.add_exception_handler(DjangoValidationError, refused)


ERROR_RESPONSES: dict[int, type[Error]] = {401: Error, 403: Error, 404: Error, 422: Error}
# Operations with a body also answer 400 when it is not JSON at all.
WRITE_ERROR_RESPONSES: dict[int, type[Error]] = {400: Error, **ERROR_RESPONSES}
