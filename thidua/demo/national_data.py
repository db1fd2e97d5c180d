"""The facts and word lists the national demo is built from (`load_demo --national`).

The 34 provinces and cities and the 63 they were formed from are those of Nghị quyết 202/2025/QH15
(DOMAIN.md, "01/07/2025 province merger"); everything below them (groups, units, people, scores) is made
up and labelled as demo data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from thidua.agreements.rules import Kind
from thidua.agreements.template_data import B, F, N, P, Q, T


@dataclass(frozen=True)
class Place:
    slug: str  # "ninh-binh": codes and usernames
    name: str  # "Ninh Bình"
    city: bool = False  # a centrally-run city ("thành phố Hà Nội"), not a province ("tỉnh Ninh Bình")

    @property
    def words(self) -> str:
        return f"{'thành phố' if self.city else 'tỉnh'} {self.name}"


def _p(slug: str, name: str, city: bool = False) -> Place:
    return Place(slug, name, city)


# (the province after 01/07/2025, the provinces it absorbed). NQ 202/2025/QH15: 11 kept as they were,
# 23 formed by merging 52; the new province keeps the name of the first.
PROVINCES: tuple[tuple[Place, tuple[Place, ...]], ...] = (
    (_p("ha-noi", "Hà Nội", True), ()),
    (_p("hue", "Huế", True), ()),
    (_p("lai-chau", "Lai Châu"), ()),
    (_p("dien-bien", "Điện Biên"), ()),
    (_p("son-la", "Sơn La"), ()),
    (_p("lang-son", "Lạng Sơn"), ()),
    (_p("quang-ninh", "Quảng Ninh"), ()),
    (_p("thanh-hoa", "Thanh Hóa"), ()),
    (_p("nghe-an", "Nghệ An"), ()),
    (_p("ha-tinh", "Hà Tĩnh"), ()),
    (_p("cao-bang", "Cao Bằng"), ()),
    (_p("tuyen-quang", "Tuyên Quang"), (_p("ha-giang", "Hà Giang"),)),
    (_p("lao-cai", "Lào Cai"), (_p("yen-bai", "Yên Bái"),)),
    (_p("thai-nguyen", "Thái Nguyên"), (_p("bac-kan", "Bắc Kạn"),)),
    (_p("phu-tho", "Phú Thọ"), (_p("vinh-phuc", "Vĩnh Phúc"), _p("hoa-binh", "Hòa Bình"))),
    (_p("bac-ninh", "Bắc Ninh"), (_p("bac-giang", "Bắc Giang"),)),
    (_p("hung-yen", "Hưng Yên"), (_p("thai-binh", "Thái Bình"),)),
    (_p("hai-phong", "Hải Phòng", True), (_p("hai-duong", "Hải Dương"),)),
    (_p("ninh-binh", "Ninh Bình"), (_p("ha-nam", "Hà Nam"), _p("nam-dinh", "Nam Định"))),
    (_p("quang-tri", "Quảng Trị"), (_p("quang-binh", "Quảng Bình"),)),
    (_p("da-nang", "Đà Nẵng", True), (_p("quang-nam", "Quảng Nam"),)),
    (_p("quang-ngai", "Quảng Ngãi"), (_p("kon-tum", "Kon Tum"),)),
    (_p("gia-lai", "Gia Lai"), (_p("binh-dinh", "Bình Định"),)),
    (_p("khanh-hoa", "Khánh Hòa"), (_p("ninh-thuan", "Ninh Thuận"),)),
    (_p("lam-dong", "Lâm Đồng"), (_p("dak-nong", "Đắk Nông"), _p("binh-thuan", "Bình Thuận"))),
    (_p("dak-lak", "Đắk Lắk"), (_p("phu-yen", "Phú Yên"),)),
    (_p("ho-chi-minh", "Hồ Chí Minh", True), (_p("binh-duong", "Bình Dương"), _p("ba-ria-vung-tau", "Bà Rịa – Vũng Tàu"))),
    (_p("dong-nai", "Đồng Nai"), (_p("binh-phuoc", "Bình Phước"),)),
    (_p("tay-ninh", "Tây Ninh"), (_p("long-an", "Long An"),)),
    (_p("can-tho", "Cần Thơ", True), (_p("soc-trang", "Sóc Trăng"), _p("hau-giang", "Hậu Giang"))),
    (_p("vinh-long", "Vĩnh Long"), (_p("ben-tre", "Bến Tre"), _p("tra-vinh", "Trà Vinh"))),
    (_p("dong-thap", "Đồng Tháp"), (_p("tien-giang", "Tiền Giang"),)),
    (_p("ca-mau", "Cà Mau"), (_p("bac-lieu", "Bạc Liêu"),)),
    (_p("an-giang", "An Giang"), (_p("kien-giang", "Kiên Giang"),)),
)  # fmt: skip

# Syllables of made-up commune and ward names ("xã Tân Phú", "phường Hòa Bình"): common in real names,
# paired at random, so no name stands for a real place's results.
SYLLABLES = (
    "An", "Bình", "Phú", "Tân", "Hòa", "Thạnh", "Long", "Phước", "Hưng", "Thịnh", "Đông", "Tây", "Nam",
    "Bắc", "Trung", "Mỹ", "Hiệp", "Lộc", "Vĩnh", "Xuân", "Thuận", "Quang", "Minh", "Thành", "Đức", "Hải",
    "Sơn", "Lâm", "Hà", "Kim", "Yên", "Phong", "Thượng", "Hạ", "Cẩm", "Lạc", "Nghĩa", "Tiến", "Quý", "Hồng",
)  # fmt: skip

# Members of a block (khối thi đua, by function): departments and public bodies of the province. The
# name is followed by the province ("Sở Tài chính tỉnh Ninh Bình"); "{x}" takes a place name.
BLOCK_UNITS = (
    ("Sở Tài chính", "STC"), ("Sở Nội vụ", "SNV"), ("Sở Tư pháp", "STP"), ("Sở Xây dựng", "SXD"),
    ("Sở Y tế", "SYT"), ("Sở Giáo dục và Đào tạo", "SGDĐT"), ("Sở Công Thương", "SCT"),
    ("Sở Nông nghiệp và Môi trường", "SNNMT"), ("Sở Khoa học và Công nghệ", "SKHCN"),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"), ("Thanh tra", "TT"), ("Văn phòng Ủy ban nhân dân", "VP UBND"),
    ("Bệnh viện Đa khoa khu vực {x}", "BVĐK {x}"), ("Trường Trung học phổ thông {x}", "THPT {x}"),
    ("Trung tâm Y tế khu vực {x}", "TTYT {x}"), ("Trường Cao đẳng Kỹ thuật {x}", "CĐKT {x}"),
    ("Ban Quản lý dự án đầu tư xây dựng khu vực {x}", "BQLDA {x}"), ("Công ty cổ phần Cấp nước {x}", "Cấp nước {x}"),
    ("Liên đoàn Lao động khu vực {x}", "LĐLĐ {x}"), ("Trung tâm Dịch vụ nông nghiệp {x}", "TTDVNN {x}"),
)  # fmt: skip

# 30 criteria in six work areas, for any public body's year (the VUSTA template has 23, for provincial
# unions only). Points are demo defaults: (code, text, kind, max points, target, points per unit).
D = Decimal
CRITERIA: tuple[tuple[str, str, Decimal, tuple[tuple[str, str, Kind, Decimal, Decimal | None, Decimal | None], ...]], ...] = (
    ("1", "Thực hiện nhiệm vụ chuyên môn được giao", D(25), (
        ("1.1", "Hoàn thành các chỉ tiêu kế hoạch năm được giao", Q, D(8), D(100), None),
        ("1.2", "Chất lượng, tiến độ giải quyết công việc, thủ tục hành chính", F, D(5), None, None),
        ("1.3", "Chuyển đổi số, ứng dụng công nghệ thông tin trong công việc", F, D(4), None, None),
        ("1.4", "Sáng kiến, giải pháp được công nhận trong năm", N, D(4), None, D(1)),
        ("1.5", "Không có đơn thư khiếu nại vượt cấp kéo dài", P, D(4), None, None),
    )),
    ("2", "Xây dựng tổ chức, cán bộ", D(15), (
        ("2.1", "Kiện toàn tổ chức bộ máy theo quy định sau sắp xếp", P, D(3), None, None),
        ("2.2", "Đào tạo, bồi dưỡng cán bộ, công chức, viên chức", Q, D(3), D(20), None),
        ("2.3", "Thực hiện quy chế dân chủ ở cơ sở", F, D(3), None, None),
        ("2.4", "Phòng, chống tham nhũng, tiêu cực, lãng phí", F, D(3), None, None),
        ("2.5", "Đánh giá, xếp loại cán bộ đúng quy định", P, D(3), None, None),
    )),
    ("3", "Tổ chức phong trào thi đua", D(20), (
        ("3.1", "Ban hành kế hoạch, phát động phong trào thi đua", P, D(4), None, None),
        ("3.2", "Hưởng ứng phong trào “Cả nước thi đua xây dựng xã hội học tập”", F, D(4), None, None),
        ("3.3", "Phát hiện, bồi dưỡng, nhân rộng điển hình tiên tiến", N, D(4), None, D(1)),
        ("3.4", "Sơ kết, tổng kết phong trào thi đua đúng thời gian", P, D(4), None, None),
        ("3.5", "Tham gia hoạt động của cụm, khối thi đua", F, D(4), None, None),
    )),
    ("4", "Công tác khen thưởng", D(20), (
        ("4.1", "Khen thưởng kịp thời, đúng đối tượng", F, D(4), None, None),
        ("4.2", "Tỷ lệ khen thưởng người lao động trực tiếp", Q, D(4), D(30), None),
        ("4.3", "Hồ sơ khen thưởng đầy đủ, đúng hạn", P, D(3), None, None),
        ("4.4", "Cập nhật cơ sở dữ liệu thi đua, khen thưởng", F, D(4), None, None),
        ("4.5", "Tuyên truyền gương người tốt, việc tốt", N, D(5), None, D(1)),
    )),
    ("5", "Thông tin, báo cáo và phối hợp", D(20), (
        ("5.1", "Gửi báo cáo định kỳ đúng hạn", P, D(4), None, None),
        ("5.2", "Chất lượng báo cáo sơ kết, tổng kết", F, D(4), None, None),
        ("5.3", "Phối hợp với các thành viên trong cụm, khối", F, D(4), None, None),
        ("5.4", "Tham dự đầy đủ hội nghị của cụm, khối", P, D(4), None, None),
        ("5.5", "Trang thông tin điện tử cập nhật thường xuyên", F, D(4), None, None),
    )),
    ("T", "Điểm thưởng, điểm trừ", D(10), (
        ("T.1", "Được khen thưởng đột xuất trong năm", B, D(3), None, None),
        ("T.2", "Mô hình mới, cách làm hay được nhân rộng", B, D(2), None, None),
        ("T.3", "Chậm gửi báo cáo, hồ sơ thi đua", T, D(2), None, None),
        ("T.4", "Để xảy ra vi phạm bị nhắc nhở, kỷ luật", T, D(3), None, None),
        ("T.5", "Không tham gia hoạt động chung của cụm, khối", T, D(1), None, None),
    )),
)  # fmt: skip
