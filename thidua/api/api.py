"""The REST API under /api/: its schema at /api/openapi.json, its interactive docs at /api/docs."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from thidua.api import awards, errors, registry, scoring, years
from thidua.api.auth import TokenAuth


class Utf8Renderer(JSONRenderer):
    # Vietnamese text as it is, not as \u escapes: readable in a terminal, and a third shorter.
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=Utf8Renderer(),
    title="thidua API",
    version="1",
    description=(
        "Đọc dữ liệu cụm/khối thi đua và ghi điểm tự chấm. Xác thực: tiêu đề "
        "`Authorization: Bearer <mã truy cập>`, mã tạo ở trang tài khoản (Mã truy cập API). "
        'Lỗi luôn có dạng `{"loi": {"ma", "thong_bao", "truong", "chi_tiet"}}`.'
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)
api.add_router("", registry.router)
api.add_router("", years.router)
api.add_router("", scoring.router)
api.add_router("", awards.router)
