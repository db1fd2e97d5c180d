"""The Cụm 4 demo: VUSTA, its regulation, Cụm 4, 6, 8 and 9, and one user per role.

Facts come from DOMAIN.md ("Facts for the demo"). Heads and deputies of Cụm 4 are not public:
they are demo figures and say so in their `source`. Loading is idempotent: each step checks what is
there and adds only what is missing, through the same services a user's click would call.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from thidua.accounts.models import Role, RoleKind, User
from thidua.audit.services import record
from thidua.organizations import services
from thidua.organizations.models import (
    AwardForm,
    EmulationGroup,
    GroupKind,
    Leadership,
    LeadershipRole,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationName,
    Position,
    Regulation,
    SecondRound,
    TieBreak,
    VoteBase,
    VotingUnit,
)

DEMO_PASSWORD = "ThiDua@2026"  # noqa: S105 — printed by `make run` on purpose; demo accounts only
DEMO_LABEL = "Dữ liệu minh họa (số liệu thật chưa công bố)"
NAME_START = datetime.date(1995, 1, 1)
NAME_START_SOURCE = "Ngày bắt đầu dùng tên: dữ liệu minh họa"
MERGER_DAY = datetime.date(2025, 7, 1)
MERGER_SOURCE = (
    "Nghị quyết 202/2025/QH15 về sắp xếp đơn vị hành chính cấp tỉnh; chính quyền tỉnh mới từ 01/07/2025"
)
HUE_DAY = datetime.date(2025, 1, 1)
HUE_SOURCE = "Nghị quyết 1314/NQ-UBTVQH15: thành lập thành phố Huế trực thuộc Trung ương từ 01/01/2025"

UNION = "Liên hiệp các Hội Khoa học và Kỹ thuật"


@dataclass(frozen=True)
class Province:
    code: str
    place: str  # "tỉnh Ninh Bình" / "thành phố Cần Thơ"

    @property
    def name(self) -> str:
        return f"{UNION} {self.place}"

    @property
    def short_name(self) -> str:
        return f"Liên hiệp hội {self.place}"


def _p(code: str, place: str) -> Province:
    return Province(code=f"lhh-{code}", place=place)


NINH_BINH = _p("ninh-binh", "tỉnh Ninh Bình")
THANH_HOA = _p("thanh-hoa", "tỉnh Thanh Hóa")
NGHE_AN = _p("nghe-an", "tỉnh Nghệ An")
HA_TINH = _p("ha-tinh", "tỉnh Hà Tĩnh")
QUANG_BINH = _p("quang-binh", "tỉnh Quảng Bình")
QUANG_TRI = _p("quang-tri", "tỉnh Quảng Trị")
THUA_THIEN_HUE = _p("hue", "tỉnh Thừa Thiên Huế")
HA_NAM = _p("ha-nam", "tỉnh Hà Nam")
NAM_DINH = _p("nam-dinh", "tỉnh Nam Định")

CLUSTER_4_OLD = [NINH_BINH, THANH_HOA, NGHE_AN, HA_TINH, QUANG_BINH, QUANG_TRI, THUA_THIEN_HUE]
CLUSTER_4_NEW = [NINH_BINH, THANH_HOA, NGHE_AN, HA_TINH, QUANG_TRI, THUA_THIEN_HUE]
# Cụm 4's heads and deputies are not public (DOMAIN.md): a plausible rotation, labelled as demo.
CLUSTER_4_LEADERS = {
    2022: (THANH_HOA, NINH_BINH),
    2023: (NINH_BINH, NGHE_AN),
    2024: (NGHE_AN, HA_TINH),
    2025: (HA_TINH, QUANG_TRI),
    2026: (QUANG_TRI, THUA_THIEN_HUE),
}

QUANG_NGAI = _p("quang-ngai", "tỉnh Quảng Ngãi")
CLUSTER_6 = [QUANG_NGAI, _p("binh-dinh", "tỉnh Bình Định"), _p("phu-yen", "tỉnh Phú Yên"),
             _p("khanh-hoa", "tỉnh Khánh Hòa"), _p("ninh-thuan", "tỉnh Ninh Thuận"),
             _p("binh-thuan", "tỉnh Bình Thuận")]  # fmt: skip
VINH_LONG = _p("vinh-long", "tỉnh Vĩnh Long")
DONG_THAP = _p("dong-thap", "tỉnh Đồng Tháp")
CLUSTER_8 = [_p("ben-tre", "tỉnh Bến Tre"), VINH_LONG, _p("tien-giang", "tỉnh Tiền Giang"), DONG_THAP,
             _p("an-giang", "tỉnh An Giang"), _p("tra-vinh", "tỉnh Trà Vinh")]  # fmt: skip
CAN_THO = _p("can-tho", "thành phố Cần Thơ")
SOC_TRANG = _p("soc-trang", "tỉnh Sóc Trăng")
CLUSTER_9 = [CAN_THO, SOC_TRANG, _p("ca-mau", "tỉnh Cà Mau"), _p("bac-lieu", "tỉnh Bạc Liêu"),
             _p("hau-giang", "tỉnh Hậu Giang"), _p("kien-giang", "tỉnh Kiên Giang")]  # fmt: skip

DEMO_USERS: list[tuple[str, str, str, str, Province | None]] = [
    # username, full name, job title, role kind, organization (None: VUSTA)
    ("vusta", "Cán bộ Ban Thi đua — Khen thưởng (demo)", "Chuyên viên", RoleKind.PARENT_STAFF, None),
    ("ninhbinh", "Cán bộ thi đua Ninh Bình (demo)", "Chánh Văn phòng", RoleKind.OFFICER, NINH_BINH),
    ("thanhhoa", "Cán bộ thi đua Thanh Hóa (demo)", "Chánh Văn phòng", RoleKind.OFFICER, THANH_HOA),
    ("nghean", "Cán bộ thi đua Nghệ An (demo)", "Chánh Văn phòng", RoleKind.OFFICER, NGHE_AN),
    ("hatinh", "Cán bộ thi đua Hà Tĩnh (demo)", "Chánh Văn phòng", RoleKind.OFFICER, HA_TINH),
    ("quangbinh", "Cán bộ thi đua Quảng Bình (demo)", "Chánh Văn phòng", RoleKind.OFFICER, QUANG_BINH),
    ("quangtri", "Cán bộ thi đua Quảng Trị (demo)", "Chánh Văn phòng", RoleKind.OFFICER, QUANG_TRI),
    ("hue", "Cán bộ thi đua Huế (demo)", "Chánh Văn phòng", RoleKind.OFFICER, THUA_THIEN_HUE),
    ("bientap", "Đinh Liên (demo)", "Biên tập viên", RoleKind.EDITOR, NINH_BINH),
    ("duyettin", "Lãnh đạo duyệt tin Ninh Bình (demo)", "Phó Chủ tịch", RoleKind.NEWS_MANAGER, NINH_BINH),
]

L_SOURCE = "Thông lệ [L] — Liên hiệp Hội Việt Nam chưa công bố chi tiết bỏ phiếu ở cụm (QĐ 1039/QĐ-LHHVN); mặc định, sửa được"
REGULATION_VALUES = {
    "title": "Quy chế thi đua, khen thưởng của Liên hiệp Hội Việt Nam — bình xét ở cụm, khối",
    "citation": "QĐ 1039/QĐ-LHHVN ngày 03/12/2021; QĐ 586/QĐ-LHHVN ngày 13/07/2022",
    "voting_unit": VotingUnit.ORGANIZATION,
    "voting_unit_source": L_SOURCE,
    "self_vote_allowed": True,
    "self_vote_source": L_SOURCE,
    "vote_base": VoteBase.PRESENT,
    "vote_base_source": L_SOURCE,
    "threshold_numerator": 1,
    "threshold_denominator": 2,
    "threshold_inclusive": False,
    "threshold_source": L_SOURCE + " (quá 1/2)",
    "quorum_numerator": 2,
    "quorum_denominator": 3,
    "quorum_source": L_SOURCE + " (ít nhất 2/3 thành viên)",
    "seats": {AwardForm.PARENT_FLAG: 1},
    "seats_source": "Luật Thi đua, khen thưởng 06/2022/QH15, Điều 26: Cờ thi đua tặng đơn vị dẫn đầu cụm, khối [H]",
    "tie_break_order": [TieBreak.FINAL_SCORE, TieBreak.RUNOFF, TieBreak.WOMEN_SHARE, TieBreak.REFER_PARENT],
    "tie_break_source": L_SOURCE,
    "scoring_bands": [
        {"min": "90", "label": "Hoàn thành xuất sắc nhiệm vụ"},
        {"min": "75", "label": "Hoàn thành tốt nhiệm vụ"},
        {"min": "50", "label": "Hoàn thành nhiệm vụ"},
        {"min": "0", "label": "Không hoàn thành nhiệm vụ"},
    ],
    "scoring_bands_source": L_SOURCE,
    "council_threshold_numerator": 4,
    "council_threshold_denominator": 5,
    "council_threshold_source": (
        "NĐ 98/2023/NĐ-CP: Cờ thi đua cần ≥ 80% tổng số thành viên Hội đồng TĐKT [H] (áp dụng 01/01/2024–30/06/2025)"
    ),
    "second_round": SecondRound.TOP_TWO,
    "second_round_source": L_SOURCE
    + " (khi không đủ phương án đạt ngưỡng: vòng 2 giữa hai phương án nhiều phiếu nhất và các phương án bằng phiếu với họ)",
    "board_key_threshold": 2,
    "board_key_holders": 3,
    "supervisor_holds_share": False,
    "board_key_source": (
        "Mặc định của thidua [M]: cần 2 trong 3 mảnh khóa do thành viên ban kiểm phiếu giữ, để một người "
        "vắng hay mất mảnh khóa không làm mất cuộc bỏ phiếu; Liên hiệp Hội Việt Nam chưa quy định; sửa được"
    ),
}
REGULATION_2026_CHANGES = {
    "citation": "QĐ 1039/QĐ-LHHVN ngày 03/12/2021; QĐ 586/QĐ-LHHVN ngày 13/07/2022; NĐ 152/2025/NĐ-CP",
    "tie_break_source": (
        "Ưu tiên tập thể có từ 70% nữ: NĐ 152/2025/NĐ-CP Điều 4 khoản 6 [H]; thứ tự các bước còn lại: "
        + L_SOURCE
    ),
    "council_threshold_source": "NĐ 152/2025/NĐ-CP (thay NĐ 98/2023 từ 01/07/2025): ≥ 80% tổng số thành viên [M]",
}


def _organization(actor: User, parent: Organization, province: Province) -> Organization:
    existing = Organization.objects.filter(code=province.code).first()
    if existing is not None:
        return existing
    return services.create_organization(
        actor=actor,
        code=province.code,
        kind=OrganizationKind.PROVINCIAL_UNION,
        parent=parent,
        name=province.name,
        short_name=province.short_name,
        valid_from=NAME_START,
        source=NAME_START_SOURCE,
    )


def _user(username: str, full_name: str, job_title: str, superuser: bool = False) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "full_name": full_name,
            "job_title": job_title,
            "is_superuser": superuser,
            "is_staff": superuser,
            # In the reserved .example domain: `make run` prints the to-do e-mails to the worker's console,
            # and nothing could reach a real person if a demo were pointed at a mail server.
            "email": f"{username}@thidua.example",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


# Officeholders of the demo's unions since this day: the documents print the one in office on their date.
OFFICE_START = datetime.date(2020, 1, 1)


def _officeholders(actor: User, organization: Organization) -> None:
    """The chairman and the chief of office of a union, named as the conference demo's delegates are (no
    real person is named): the chairman signs for the union, the chief of office is its emulation
    officer at the conference. A union merged away leaves office the day before the merger."""
    if organization.officeholders.exists():
        return
    short = organization.short_name_in_year(2023)
    until = MERGER_DAY - datetime.timedelta(days=1) if organization.successor_id else None
    services.add_officeholders(
        actor=actor,
        organization=organization,
        inputs=[
            services.OfficeholderInput(
                f"Lãnh đạo {short} (minh họa)", Position.CHAIRMAN, OFFICE_START, until, DEMO_LABEL
            ),
            services.OfficeholderInput(
                f"Cán bộ thi đua {short} (minh họa)", Position.OFFICE_CHIEF, OFFICE_START, until, DEMO_LABEL
            ),
        ],
    )


def _group(actor: User, parent: Organization, number: int, nickname: str = "") -> EmulationGroup:
    existing = EmulationGroup.objects.filter(parent=parent, kind=GroupKind.CLUSTER, number=number).first()
    if existing is not None:
        return existing
    return services.create_group(
        actor=actor, parent=parent, kind=GroupKind.CLUSTER, number=number, nickname=nickname
    )


def _members(actor: User, group: EmulationGroup, year: int, organizations: list[Organization]) -> None:
    for organization in organizations:
        if not Membership.objects.filter(group=group, organization=organization, year=year).exists():
            services.add_membership(actor=actor, group=group, organization=organization, year=year)


def _leaders(
    actor: User,
    group: EmulationGroup,
    year: int,
    head: Organization,
    deputy: Organization | None,
    source: str,
) -> None:
    for role, organization in ((LeadershipRole.HEAD, head), (LeadershipRole.DEPUTY, deputy)):
        if organization is None or Leadership.objects.filter(group=group, year=year, role=role).exists():
            continue
        services.set_leadership(
            actor=actor, group=group, year=year, role=role, organization=organization, source=source
        )


@transaction.atomic
def load_demo() -> None:
    admin = _user("quantri", "Quản trị hệ thống (demo)", "Quản trị", superuser=True)
    vusta = Organization.objects.filter(code="vusta").first()
    if vusta is None:
        vusta = Organization.objects.create(code="vusta", kind=OrganizationKind.PARENT_BODY)
        OrganizationName.objects.create(
            organization=vusta,
            name="Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam",
            short_name="Liên hiệp Hội Việt Nam",
            valid_from=datetime.date(1983, 3, 26),
            source="Thành lập ngày 26/03/1983",
        )
        vusta.refresh_search_text()
        vusta.save(update_fields=["search_text", "sort_key"])
        record(actor=admin, verb="organization.create", target=vusta, data={"code": "vusta", "demo": True})

    users = {}
    for username, full_name, job_title, _, _ in DEMO_USERS:
        users[username] = _user(username, full_name, job_title)
    staff = users["vusta"]
    Role.objects.get_or_create(user=staff, kind=RoleKind.PARENT_STAFF, organization=vusta)

    orgs = {p.code: _organization(staff, vusta, p) for p in [*CLUSTER_4_OLD, HA_NAM, NAM_DINH]}
    for username, _, _, kind, province in DEMO_USERS:
        if province is not None:
            Role.objects.get_or_create(user=users[username], kind=kind, organization=orgs[province.code])

    for source_id, values in (
        (2022, REGULATION_VALUES),
        (2026, {**REGULATION_VALUES, **REGULATION_2026_CHANGES}),
    ):
        if not Regulation.objects.filter(parent=vusta, valid_from_year=source_id).exists():
            services.save_regulation(actor=staff, parent=vusta, valid_from_year=source_id, values=values)

    cluster4 = _group(staff, vusta, 4)
    for year in range(2022, 2026):
        _members(staff, cluster4, year, [orgs[p.code] for p in CLUSTER_4_OLD])
    _members(staff, cluster4, 2026, [orgs[p.code] for p in CLUSTER_4_NEW])
    for year, (head, deputy) in CLUSTER_4_LEADERS.items():
        _leaders(staff, cluster4, year, orgs[head.code], orgs[deputy.code], DEMO_LABEL)

    # The 2025 re-organization (DOMAIN.md): names and mergers, recorded once.
    hue = orgs[THUA_THIEN_HUE.code]
    if not hue.names.filter(valid_from=HUE_DAY).exists():
        services.rename_organization(
            actor=staff,
            organization=hue,
            name=f"{UNION} thành phố Huế",
            short_name="Liên hiệp hội thành phố Huế",
            valid_from=HUE_DAY,
            source=HUE_SOURCE,
        )
    for absorbed, successor in ((QUANG_BINH, QUANG_TRI), (HA_NAM, NINH_BINH), (NAM_DINH, NINH_BINH)):
        organization = Organization.objects.get(code=absorbed.code)
        if organization.successor_id is None:
            services.record_merger(
                actor=staff,
                absorbed=organization,
                successor=orgs[successor.code],
                on=MERGER_DAY,
                source=MERGER_SOURCE,
            )

    for organization in Organization.objects.filter(code__in=orgs).prefetch_related("names"):
        _officeholders(staff, organization)

    public = "Công bố trên trang tin của Liên hiệp Hội Việt Nam"
    others: list[tuple[int, str, int, list[Province], Province, Province | None]] = [
        (6, "", 2022, CLUSTER_6, QUANG_NGAI, None),
        (8, "Bắc Sông Hậu", 2024, CLUSTER_8, VINH_LONG, DONG_THAP),
        (9, "", 2023, CLUSTER_9, CAN_THO, SOC_TRANG),
    ]
    for number, nickname, year, members, other_head, other_deputy in others:
        group = _group(staff, vusta, number, nickname)
        member_orgs = [_organization(staff, vusta, p) for p in members]
        _members(staff, group, year, member_orgs)
        _leaders(
            staff,
            group,
            year,
            Organization.objects.get(code=other_head.code),
            Organization.objects.get(code=other_deputy.code) if other_deputy else None,
            public,
        )


def demo_logins() -> list[tuple[str, str]]:
    rows = [("quantri", "quản trị hệ thống (trang /quan-tri/)")]
    for username, _, _, kind, province in DEMO_USERS:
        where = "Liên hiệp Hội Việt Nam"
        if province is not None:
            organization = Organization.objects.filter(code=province.code).prefetch_related("names").first()
            where = organization.current_short_name if organization else province.short_name
        rows.append((username, f"{RoleKind(kind).label} — {where}"))
    return rows
