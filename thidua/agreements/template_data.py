"""The built-in agreement for VUSTA provincial unions (Liên hiệp hội tỉnh, thành phố).

Work areas 1–7 are those of the seed article (Cụm thi đua số 4, 2023); area 8 is the organization of the
emulation movement itself and reporting discipline. Points are editable defaults, not a published
scale: VUSTA's scoring tables are not public (DOMAIN.md), so the draft's page says so to its drafters
(`DEFAULTS_NOTE`); the agreement's own text does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from thidua.agreements.rules import Kind

# A hint to the drafters on the draft's page, never part of the agreement's text (issue 15: official
# text carries no notes for staff).
DEFAULTS_NOTE = "Điểm trong dự thảo lấy từ mẫu, chưa phải thang điểm công bố: hãy sửa theo thỏa thuận của các thành viên trước khi ký."


@dataclass(frozen=True)
class CriterionTemplate:
    code: str
    text: str
    kind: Kind
    max_points: Decimal
    guidance: str = ""
    target: Decimal | None = None
    points_per_unit: Decimal | None = None
    evidence_required: bool = False


@dataclass(frozen=True)
class GroupTemplate:
    code: str
    title: str
    max_points: Decimal
    criteria: list[CriterionTemplate] = field(default_factory=list)


D = Decimal
F, Q, P, N, B, T = (
    Kind.FIXED,
    Kind.QUANTITATIVE,
    Kind.PASS_FAIL,
    Kind.PER_OCCURRENCE,
    Kind.BONUS,
    Kind.PENALTY,
)

PROVINCIAL_UNION_TEMPLATE: list[GroupTemplate] = [
    GroupTemplate("1", "Xây dựng và phát triển tổ chức", D(15), [
        CriterionTemplate("1.1", "Kết nạp hội thành viên mới, phát triển hội viên", Q, D(5), "Số hội thành viên, hội viên kết nạp trong năm so với chỉ tiêu", target=D(2)),
        CriterionTemplate("1.2", "Kiện toàn bộ máy, đại hội nhiệm kỳ đúng quy định", F, D(5), "Quyết định kiện toàn, nghị quyết đại hội", evidence_required=True),
        CriterionTemplate("1.3", "Quy chế làm việc, quy chế phối hợp với các sở, ngành được ban hành và thực hiện", P, D(5)),
    ]),
    GroupTemplate("2", "Giáo dục chính trị tư tưởng", D(10), [
        CriterionTemplate("2.1", "Quán triệt, triển khai nghị quyết, chỉ thị của Đảng, Nhà nước và Liên hiệp Hội Việt Nam", F, D(6)),
        CriterionTemplate("2.2", "Nắm bắt, phản ánh tâm tư, nguyện vọng của đội ngũ trí thức", F, D(4)),
    ]),
    GroupTemplate("3", "Tư vấn, phản biện và giám định xã hội", D(15), [
        CriterionTemplate("3.1", "Số chương trình, đề án, dự án được tư vấn, phản biện, giám định", Q, D(10), "Văn bản góp ý, báo cáo phản biện gửi cơ quan có thẩm quyền", target=D(10), evidence_required=True),
        CriterionTemplate("3.2", "Kiến nghị được cơ quan có thẩm quyền tiếp thu", F, D(5)),
    ]),
    GroupTemplate("4", "Nghiên cứu phát triển, ứng dụng khoa học và công nghệ, bảo vệ môi trường", D(15), [
        CriterionTemplate("4.1", "Đề tài, dự án khoa học và công nghệ được chủ trì hoặc tham gia", N, D(10), "Mỗi đề tài, dự án 2 điểm", points_per_unit=D(2), evidence_required=True),
        CriterionTemplate("4.2", "Hoạt động ứng dụng khoa học, công nghệ vào bảo vệ môi trường", F, D(5)),
    ]),
    GroupTemplate("5", "Thông tin, phổ biến kiến thức khoa học và công nghệ", D(10), [
        CriterionTemplate("5.1", "Ấn phẩm, bản tin, trang thông tin điện tử duy trì đều đặn", F, D(5)),
        CriterionTemplate("5.2", "Hội thảo, tọa đàm, lớp tập huấn phổ biến kiến thức", N, D(5), "Mỗi hoạt động 1 điểm", points_per_unit=D(1)),
    ]),
    GroupTemplate("6", "Hợp tác quốc tế, dự án phi chính phủ", D(10), [
        CriterionTemplate("6.1", "Dự án phi chính phủ nước ngoài được triển khai", N, D(6), "Mỗi dự án 3 điểm", points_per_unit=D(3)),
        CriterionTemplate("6.2", "Quản lý hoạt động hợp tác quốc tế đúng quy định", P, D(4)),
    ]),
    GroupTemplate("7", "Hội thi, cuộc thi, giải thưởng sáng tạo khoa học, kỹ thuật", D(15), [
        CriterionTemplate("7.1", "Tổ chức Hội thi sáng tạo kỹ thuật cấp tỉnh", P, D(6), evidence_required=True),
        CriterionTemplate("7.2", "Cuộc thi sáng tạo thanh thiếu niên nhi đồng", P, D(5)),
        CriterionTemplate("7.3", "Giải pháp đạt giải cấp toàn quốc", N, D(4), "Mỗi giải pháp 2 điểm", points_per_unit=D(2)),
    ]),
    GroupTemplate("8", "Tổ chức phong trào thi đua và chế độ thông tin, báo cáo", D(10), [
        CriterionTemplate("8.1", "Ký kết giao ước, phát động và sơ kết, tổng kết phong trào thi đua", F, D(5)),
        CriterionTemplate("8.2", "Gửi báo cáo đúng hạn cho cụm và Liên hiệp Hội Việt Nam", P, D(5)),
    ]),
    GroupTemplate("T", "Điểm thưởng", D(5), [
        CriterionTemplate("T.1", "Được cấp có thẩm quyền khen thưởng đột xuất", B, D(3)),
        CriterionTemplate("T.2", "Mô hình mới, cách làm hiệu quả được nhân rộng", B, D(2)),
    ]),
    GroupTemplate("TR", "Điểm trừ", D(5), [
        CriterionTemplate("TR.1", "Chậm nộp báo cáo, hồ sơ thi đua", T, D(2)),
        CriterionTemplate("TR.2", "Để xảy ra vi phạm bị cơ quan có thẩm quyền nhắc nhở, kỷ luật", T, D(3)),
    ]),
]  # fmt: skip
