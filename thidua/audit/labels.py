"""The audit trail in words a reader knows: a Vietnamese name for every verb the services record, and
each event's data as labelled, readable values. Pure, stdlib only.

The stored event keeps its English verb and its JSON data (they are what the chain hashes); only the
page that shows them speaks Vietnamese. A test walks the code base and fails on a verb recorded without
a name here. Values are written as the rest of thidua writes them: dates dd/mm/yyyy, points with a
comma, yes/no as «có»/«không», nothing as «—», never a Python repr.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any

VERB_LABELS: Mapping[str, str] = {
    "account.create": "Tạo tài khoản",
    "account.email": "Đổi địa chỉ thư điện tử",
    "account.email_reminders": "Bật/tắt thư nhắc việc",
    "agreement.amend": "Sửa đổi giao ước",
    "agreement.create": "Soạn giao ước",
    "agreement.in_force": "Giao ước có hiệu lực",
    "agreement.open_signing": "Mở ký giao ước",
    "agreement.sign": "Ký giao ước",
    "agreement.sign_paper": "Ghi nhận chữ ký giao ước trên giấy",
    "agreement.update": "Sửa dự thảo giao ước",
    "api_token.create": "Tạo mã truy cập API",
    "api_token.revoke": "Thu hồi mã truy cập API",
    "assessment.amendment_read": "Xác nhận đã xem thay đổi do sửa đổi giao ước",
    "assessment.carry": "Chuyển bản tự chấm sang giao ước sửa đổi",
    "assessment.import": "Nhập bảng tự chấm từ Excel",
    "assessment.reopen": "Mở lại bản tự chấm",
    "assessment.start": "Bắt đầu tự chấm",
    "assessment.submit": "Nộp bản tự chấm",
    "conference.close": "Kết thúc hội nghị",
    "conference.create": "Tạo hội nghị",
    "conference.roles": "Phân công chủ trì, thư ký hội nghị",
    "conference.update": "Sửa thông tin hội nghị",
    "criterion.create": "Thêm tiêu chí",
    "criterion.delete": "Xóa tiêu chí",
    "criterion.update": "Sửa tiêu chí",
    "criterion_group.create": "Thêm nhóm tiêu chí",
    "criterion_group.update": "Sửa nhóm tiêu chí",
    "delegate.add": "Thêm đại biểu",
    "delegate.check_in": "Điểm danh đại biểu",
    "delegate.issue_codes": "Cấp thẻ biểu quyết",
    "document.discard": "Hủy dự thảo văn bản",
    "document.draft": "Soạn dự thảo văn bản",
    "document.issue": "Ban hành văn bản",
    "document.pdf": "Tạo bản PDF của văn bản",
    "document.register": "Vào sổ văn bản",
    "document.signed_original": "Tải lên bản gốc đã ký",
    "document_template.upload": "Tải lên mẫu văn bản",
    "dossier.council_vote": "Ghi kết quả bỏ phiếu của Hội đồng",
    "dossier.create": "Lập hồ sơ đề nghị khen thưởng",
    "dossier.decide": "Ghi quyết định khen thưởng",
    "dossier.documents": "Cập nhật văn bản của hồ sơ",
    "dossier.proposal_add": "Thêm đề nghị khen thưởng",
    "dossier.proposal_remove": "Bỏ đề nghị khen thưởng",
    "dossier.report_add": "Thêm báo cáo thành tích",
    "dossier.return": "Trả lại hồ sơ",
    "dossier.submit": "Gửi hồ sơ đề nghị khen thưởng",
    "evidence.add": "Thêm minh chứng",
    "evidence.remove": "Xóa minh chứng",
    "group.create": "Tạo cụm/khối thi đua",
    "group.update": "Sửa thông tin cụm/khối thi đua",
    "leadership.clear": "Bỏ cụm trưởng/cụm phó",
    "leadership.elect": "Bầu cụm trưởng/cụm phó",
    "leadership.set": "Ghi cụm trưởng/cụm phó",
    "membership.add": "Thêm thành viên",
    "membership.remove": "Bỏ thành viên",
    "news.draft_from_conference": "Soạn tin bài về hội nghị",
    "news.site_open": "Mở trang tin",
    "organization.create": "Thêm đơn vị",
    "organization.merge": "Ghi sáp nhập đơn vị",
    "organization.officeholders.add": "Thêm lãnh đạo đơn vị",
    "organization.officeholders.change": "Sửa lãnh đạo đơn vị",
    "organization.officeholders.remove": "Bỏ lãnh đạo đơn vị",
    "organization.rename": "Đổi tên đơn vị",
    "organization.update_profile": "Sửa thông tin đơn vị",
    "organization.women_share": "Ghi tỷ lệ nữ",
    "poll.close": "Đóng bỏ phiếu",
    "poll.confirm": "Xác nhận kết quả kiểm phiếu",
    "poll.count": "Kiểm phiếu",
    "poll.create": "Tạo cuộc bỏ phiếu",
    "poll.open": "Mở bỏ phiếu",
    "poll.paper_count": "Nhập kết quả kiểm phiếu giấy",
    "poll.publish": "Công bố kết quả bỏ phiếu",
    "poll.rekey": "Tạo khóa kiểm phiếu mới",
    "poll.runoff": "Tạo cuộc bỏ phiếu lại",
    "poll.second_round": "Tạo cuộc bỏ phiếu vòng 2",
    "registry.import": "Nhập đơn vị, thành viên từ Excel",
    "regulation.create": "Ghi quy chế",
    "regulation.update": "Sửa quy chế",
    "review.assign": "Phân công chấm chéo",
    "review.complete": "Hoàn thành chấm chéo",
    "role.revoke": "Thu hồi vai trò",
    "score.answer": "Giải trình tiêu chí",
    "score.keep": "Giữ điểm đang lưu",
    "score.review": "Chấm chéo tiêu chí",
    "score.self": "Tự chấm tiêu chí",
    "score.settle": "Chốt điểm tiêu chí",
    "two_factor.enrol": "Cài đặt xác thực hai bước",
    "two_factor.recovery_code_used": "Dùng mã dự phòng",
    "two_factor.recovery_codes_regenerated": "Tạo lại mã dự phòng",
    "two_factor.remove": "Xóa xác thực hai bước của tài khoản",
    "year.archive": "Đóng năm thi đua (tổng kết ngoài hệ thống)",
    "year.deadlines": "Đặt hạn các giai đoạn",
    "year.open": "Mở năm thi đua",
    "year.stage": "Chuyển giai đoạn",
}

KEY_LABELS: Mapping[str, str] = {
    "added": "Thêm",
    "after": "Sau",
    "agreement": "Giao ước",
    "agreement_version": "Phiên bản giao ước",
    "answer": "Giải trình",
    "answer_due": "Hạn giải trình",
    "assignments": "Phân công",
    "award_form": "Hình thức khen thưởng",
    "awards": "Khen thưởng",
    "ballots": "Số phiếu",
    "before": "Trước",
    "blank": "Phiếu trắng",
    "board": "Ban kiểm phiếu",
    "by": "Người thực hiện",
    "cards": "Thẻ biểu quyết",
    "category": "Chuyên mục",
    "changes": "Thay đổi",
    "choices": "Phương án",
    "citation": "Văn bản quy định",
    "closed_at": "Thời điểm đóng",
    "code": "Mã",
    "conference": "Hội nghị",
    "conference_date": "Ngày hội nghị tổng kết",
    "count": "Số lượng",
    "counts": "Kết quả đếm",
    "criterion": "Tiêu chí",
    "date": "Ngày",
    "delegates": "Đại biểu",
    "demo": "Dữ liệu minh họa",
    "discarded": "Đã hủy",
    "documents": "Văn bản",
    "dossier_due": "Hạn gửi hồ sơ khen thưởng",
    "eligible": "Số có quyền bỏ phiếu",
    "enabled": "Bật",
    "final": "Điểm chốt",
    "from": "Từ",
    "from_version": "Từ phiên bản",
    "given_up": "Giá trị bỏ đi",
    "has_email": "Có thư điện tử",
    "holders": "Người giữ mảnh khóa",
    "hostname": "Tên miền",
    "invalid": "Phiếu không hợp lệ",
    "issued": "Đã cấp",
    "kept": "Giữ lại",
    "kind": "Loại",
    "late": "Quá hạn",
    "left": "Còn lại",
    "left_out": "Không đưa vào",
    "max_points": "Điểm tối đa",
    "members": "Số thành viên",
    "mode": "Hình thức bỏ phiếu",
    "moved": "Đã chuyển",
    "name": "Tên",
    "nickname": "Tên gọi khác",
    "note": "Thuyết minh",
    "notes": "Ghi chú",
    "number": "Số",
    "of": "Của cuộc bỏ phiếu",
    "on": "Ngày",
    "organization": "Đơn vị",
    "outcome": "Kết quả",
    "outcomes": "Kết quả",
    "overwrote": "Ghi đè",
    "parent": "Cơ quan cấp trên",
    "participants": "Số đại biểu đã bỏ phiếu",
    "place": "Địa điểm",
    "points": "Điểm",
    "poll": "Cuộc bỏ phiếu",
    "polls": "Các cuộc bỏ phiếu",
    "prefix": "Tiền tố",
    "present": "Số có mặt",
    "proposals": "Đề nghị khen thưởng",
    "quorum_source": "Căn cứ số đại biểu tối thiểu",
    "reason": "Lý do",
    "recovery_codes": "Mã dự phòng",
    "reminder_days": "Nhắc việc trước hạn (ngày)",
    "removed": "Bỏ",
    "reopened": "Mở lại",
    "replaces": "Thay cho",
    "retired": "Bỏ theo sửa đổi",
    "returned": "Trả lại",
    "review_due": "Hạn chấm chéo",
    "reviewed": "Điểm chấm chéo",
    "reviewer": "Đơn vị chấm chéo",
    "role": "Vai trò",
    "rows": "Số dòng",
    "scoring_bands": "Xếp loại",
    "seats": "Số suất",
    "second_round": "Bỏ phiếu vòng 2",
    "self": "Điểm tự chấm",
    "self_scoring_due": "Hạn tự chấm điểm",
    "self_total": "Tổng tự chấm",
    "sha256": "Mã băm SHA-256",
    "short_name": "Tên viết tắt",
    "signature_status": "Tình trạng chữ ký số",
    "signatures": "Số chữ ký",
    "signer": "Người ký",
    "signers": "Người ký",
    "signing_due": "Hạn ký giao ước",
    "site": "Trang tin",
    "size": "Dung lượng",
    "source": "Căn cứ",
    "starts_at": "Thời gian bắt đầu",
    "successor": "Đơn vị kế thừa",
    "summary": "Trích yếu",
    "supervisor_holds_share": "Đại diện cơ quan cấp trên giữ một mảnh khóa",
    "text": "Nội dung",
    "threshold": "Ngưỡng",
    "threshold_inclusive": "Tính cả bằng ngưỡng",
    "tie_break_order": "Thứ tự xử lý khi bằng nhau",
    "title": "Tiêu đề",
    "to": "Đến",
    "type": "Loại văn bản",
    "username": "Tên đăng nhập",
    "valid": "Phiếu hợp lệ",
    "valid_from": "Có hiệu lực từ",
    "valid_from_year": "Áp dụng từ năm",
    "value": "Giá trị",
    "version": "Phiên bản",
    "vote_base": "Cơ sở tính tỷ lệ",
    "votes": "Có quyền biểu quyết",
    "voting_unit": "Đơn vị bỏ phiếu",
    "year": "Năm",
}

# A key that means something else under one verb.
VERB_KEY_LABELS: Mapping[tuple[str, str], str] = {
    ("review.complete", "reviewed"): "Đơn vị được chấm",
    ("year.stage", "from"): "Từ giai đoạn",
    ("year.stage", "to"): "Sang giai đoạn",
    ("year.archive", "from"): "Giai đoạn khi đóng",
    ("score.keep", "kept"): "Giữ giá trị đang lưu",
}

# The stage names of thidua/years/rules.py LABELS (audit stands below years, so it cannot import them;
# a test keeps the two equal).
STAGE_LABELS: Mapping[str, str] = {
    "drafting": "Soạn giao ước",
    "signing": "Ký giao ước",
    "in_force": "Giao ước có hiệu lực",
    "self_scoring": "Tự chấm điểm",
    "cross_checking": "Chấm chéo, giải trình",
    "settled": "Đã chốt điểm",
    "conference": "Hội nghị tổng kết",
    "dossier": "Hồ sơ đề nghị khen thưởng",
    "closed": "Đã tổng kết",
}

# Keys whose stored value is one of a few identifiers: shown by their Vietnamese name.
VALUE_LABELS: Mapping[str, Mapping[str, str]] = {
    "from": STAGE_LABELS,
    "to": STAGE_LABELS,
    "role": {"head": "Cụm trưởng", "deputy": "Cụm phó"},
    "mode": {"electronic": "điện tử", "paper": "phiếu giấy", "mixed": "điện tử và phiếu giấy"},
    "by": {"secretariat": "thường trực cụm", "self": "tự điểm danh"},
}

# Identifiers that mean one thing wherever they are stored: award forms, kinds of cross-check.
IDENTIFIER_LABELS: Mapping[str, str] = {
    "parent_flag": "Cờ thi đua của cơ quan cấp trên",
    "government_flag": "Cờ thi đua của Chính phủ",
    "parent_merit": "Bằng khen của cơ quan cấp trên",
    "pm_merit": "Bằng khen của Thủ tướng",
    "excellent_collective": "Tập thể lao động xuất sắc",
    "advanced_collective": "Tập thể lao động tiên tiến",
    "peer": "chấm chéo",
    "appraisal": "thẩm định",
}

# Keys holding scores or points, stored as decimal strings ("92.50"): written with a comma.
POINT_KEYS = frozenset({"self", "reviewed", "final", "points", "self_total", "max_points", "value"})
# Keys whose two-item list is a change: [before, after].
CHANGE_KEYS = frozenset(
    {
        "value",
        "points",
        "reviewed",
        "final",
        "answer",
        "signing_due",
        "self_scoring_due",
        "review_due",
        "answer_due",
        "conference_date",
        "dossier_due",
        "reminder_days",
    }
)

NOTHING = "—"
ARROW = " → "
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_DECIMAL = re.compile(r"-?\d+\.\d+")
_LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def verb_label(verb: str) -> str:
    """The Vietnamese name of a recorded verb; an unknown one (only an old event could have it) shows as
    it was stored rather than nothing."""
    return VERB_LABELS.get(verb, verb)


def key_label(key: str, verb: str = "") -> str:
    return VERB_KEY_LABELS.get((verb, key)) or KEY_LABELS.get(key, key)


def value_text(value: Any, key: str = "", *, change: bool = False) -> str:
    """One stored value as a reader reads it. `change`: a two-item list is [before, after]."""
    if value is None or value == "" or value == [] or value == {}:
        return NOTHING
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _text(value, key)
    if isinstance(value, list):
        if (change or key in CHANGE_KEYS) and len(value) == 2:
            return value_text(value[0], key) + ARROW + value_text(value[1], key)
        return "; ".join(_item(item, key) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{key_label(str(k))}: {value_text(v, str(k), change=key == 'changes')}" for k, v in value.items()
        )
    return str(value)


def _item(item: Any, key: str) -> str:
    if isinstance(item, list):  # a row, e.g. [organization, award form]
        return ", ".join(value_text(part, key) for part in item)
    return value_text(item, key)


def _text(value: str, key: str) -> str:
    named = VALUE_LABELS.get(key, {}).get(value) or IDENTIFIER_LABELS.get(value)
    if named is not None:
        return named
    if _DATE.fullmatch(value):
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    if _DATETIME.match(value):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(_LOCAL)
        return moment.strftime("%d/%m/%Y %H:%M")
    if key in POINT_KEYS and _DECIMAL.fullmatch(value):
        return value.replace(".", ",")
    return value


def details(verb: str, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """An event's data as (label, text) pairs, in the order it was recorded."""
    return [(key_label(key, verb), value_text(value, key)) for key, value in data.items()]
