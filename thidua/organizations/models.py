from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from thidua.lib.text import fold, sort_text
from thidua.organizations import rules
from thidua.web.versioning import Versioned


class OrganizationKind(models.TextChoices):
    PARENT_BODY = "parent_body", "Cơ quan cấp trên"
    PROVINCIAL_UNION = "provincial_union", "Liên hiệp hội tỉnh, thành phố"
    ASSOCIATION = "association", "Hội ngành toàn quốc"
    OTHER = "other", "Đơn vị khác"


class Organization(models.Model):
    code = models.SlugField("mã đơn vị", max_length=60, unique=True)
    kind = models.CharField("loại đơn vị", max_length=20, choices=OrganizationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="cơ quan cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    successor = models.ForeignKey(
        "self",
        verbose_name="đơn vị kế thừa (sau sáp nhập)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    ended_on = models.DateField("ngày thôi hoạt động (sáp nhập)", null=True, blank=True)
    # Profile kept up to date by the organization's own officers.
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=40, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    website = models.URLField("trang thông tin", blank=True)
    head_name = models.CharField("người đứng đầu", max_length=150, blank=True)
    head_title = models.CharField("chức danh người đứng đầu", max_length=150, blank=True)
    # Every name the organization has had, folded: search ignores diacritics and finds former names.
    search_text = models.TextField(editable=False, default="")
    # The current name's Vietnamese dictionary order as text a database sorts by (thidua.lib.text.sort_text):
    # the organization list pages in SQL, whatever the number of organizations (issue 16).
    sort_key = models.TextField(editable=False, default="", db_index=True)

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"

    def __str__(self) -> str:
        return self.current_name

    @property
    def current_name(self) -> str:
        return self.name_on(datetime.date.max)

    @property
    def current_short_name(self) -> str:
        return self.short_name_on(datetime.date.max)

    def _names(self) -> list[OrganizationName]:
        # Uses prefetched names where a view prefetched them, so a list of members costs one query.
        return sorted(self.names.all(), key=lambda n: n.valid_from)

    def _name_valid_on(self, day: datetime.date) -> OrganizationName | None:
        names = self._names()
        index = rules.name_index_on([n.valid_from for n in names], day)
        return names[index] if index is not None else None

    def name_on(self, day: datetime.date) -> str:
        name = self._name_valid_on(day)
        return name.name if name else self.code

    def short_name_on(self, day: datetime.date) -> str:
        name = self._name_valid_on(day)
        return (name.short_name or name.name) if name else self.code

    def name_in_year(self, year: int) -> str:
        return self.name_on(rules.reference_day(year, self.ended_on))

    def short_name_in_year(self, year: int) -> str:
        return self.short_name_on(rules.reference_day(year, self.ended_on))

    def refresh_search_text(self) -> None:
        # Read from the database, not from names a view prefetched before a service added one: a name
        # given by "Đổi tên" must be searchable at once.
        names = list(
            OrganizationName.objects.filter(organization_id=self.pk)
            .order_by("valid_from")
            .values_list("name", "short_name")
        )
        texts = {self.code, *(text for pair in names for text in pair)}
        self.search_text = " | ".join(sorted(fold(t) for t in texts if t))
        self.sort_key = sort_text(names[-1][0] if names else self.code)


class OrganizationName(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name="đơn vị", on_delete=models.CASCADE, related_name="names"
    )
    name = models.CharField("tên đầy đủ", max_length=300)
    short_name = models.CharField("tên viết tắt", max_length=120, blank=True)
    valid_from = models.DateField("có hiệu lực từ")
    source = models.CharField("căn cứ", max_length=300, blank=True)

    class Meta:
        verbose_name = "tên đơn vị"
        verbose_name_plural = "tên đơn vị"
        ordering = ["valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "valid_from"], name="one_name_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.name} (từ {self.valid_from:%d/%m/%Y})"


class GroupKind(models.TextChoices):
    CLUSTER = "cluster", "Cụm thi đua"
    BLOCK = "block", "Khối thi đua"


class EmulationGroup(models.Model):
    parent = models.ForeignKey(
        Organization,
        verbose_name="cơ quan cấp trên",
        on_delete=models.PROTECT,
        related_name="emulation_groups",
    )
    kind = models.CharField("loại", max_length=10, choices=GroupKind.choices, default=GroupKind.CLUSTER)
    number = models.PositiveSmallIntegerField("số")
    nickname = models.CharField("tên gọi khác", max_length=120, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    notes = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "cụm/khối thi đua"
        verbose_name_plural = "cụm/khối thi đua"
        ordering = ["parent_id", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "kind", "number"], name="group_number_unique_per_parent"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        base = f"{self.get_kind_display()} số {self.number}"
        return f"{base} “{self.nickname}”" if self.nickname else base

    @property
    def head_title(self) -> str:
        """ "Cụm trưởng" in a cluster, "Khối trưởng" in a block."""
        return f"{self._leader_word} trưởng"

    @property
    def deputy_title(self) -> str:
        return f"{self._leader_word} phó"

    @property
    def _leader_word(self) -> str:
        return "Cụm" if self.kind == GroupKind.CLUSTER else "Khối"


class Membership(models.Model):
    group = models.ForeignKey(
        EmulationGroup, verbose_name="cụm/khối", on_delete=models.PROTECT, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="memberships"
    )
    year = models.PositiveSmallIntegerField("năm")

    class Meta:
        verbose_name = "thành viên"
        verbose_name_plural = "thành viên"
        constraints = [
            models.UniqueConstraint(
                fields=["group", "organization", "year"], name="membership_once_per_year"
            ),
        ]
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        return f"{self.organization.name_in_year(self.year)} — {self.group} — {self.year}"


class LeadershipRole(models.TextChoices):
    HEAD = "head", "Cụm trưởng"
    DEPUTY = "deputy", "Cụm phó"


class Leadership(models.Model):
    group = models.ForeignKey(
        EmulationGroup, verbose_name="cụm/khối", on_delete=models.PROTECT, related_name="leaderships"
    )
    year = models.PositiveSmallIntegerField("năm")
    role = models.CharField("vai trò", max_length=10, choices=LeadershipRole.choices)
    organization = models.ForeignKey(
        Organization, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="leaderships"
    )
    source = models.CharField(
        "căn cứ",
        max_length=300,
        blank=True,
        help_text="Văn bản hoặc biên bản bầu; ghi “Dữ liệu minh họa” nếu không phải số liệu thật.",
    )

    class Meta:
        verbose_name = "cụm trưởng/cụm phó"
        verbose_name_plural = "cụm trưởng/cụm phó"
        constraints = [
            models.UniqueConstraint(fields=["group", "year", "role"], name="one_head_one_deputy_per_year"),
            models.UniqueConstraint(
                fields=["group", "year", "organization"], name="one_leadership_role_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.year}: {self.organization.name_in_year(self.year)}"

    def role_title(self) -> str:
        return self.group.head_title if self.role == LeadershipRole.HEAD else self.group.deputy_title


class VotingUnit(models.TextChoices):
    ORGANIZATION = "organization", "Mỗi đơn vị thành viên một phiếu"
    DELEGATE = "delegate", "Mỗi đại biểu một phiếu"


class VoteBase(models.TextChoices):
    PRESENT = "present", "Số người bỏ phiếu có mặt"
    ELIGIBLE = "eligible", "Tổng số người có quyền bỏ phiếu"
    MEMBERS = "members", "Tổng số đơn vị thành viên"


class AwardForm(models.TextChoices):
    PARENT_FLAG = "parent_flag", "Cờ thi đua của cơ quan cấp trên"
    GOVERNMENT_FLAG = "government_flag", "Cờ thi đua của Chính phủ"
    PARENT_MERIT = "parent_merit", "Bằng khen của cơ quan cấp trên"
    PM_MERIT = "pm_merit", "Bằng khen của Thủ tướng Chính phủ"
    EXCELLENT_COLLECTIVE = "excellent_collective", "Tập thể lao động xuất sắc"
    ADVANCED_COLLECTIVE = "advanced_collective", "Tập thể lao động tiên tiến"


class TieBreak(models.TextChoices):
    """The steps of a regulation's tie-break order. The values are `thidua.lib.tiebreak.Step`'s, which
    carries them out (DOMAIN.md, Voting: one list, applied wherever a tie is decided)."""

    FINAL_SCORE = "final_score", "Điểm chấm cuối cùng cao hơn"
    RUNOFF = "runoff", "Bỏ phiếu lại giữa các đơn vị bằng phiếu (vòng 2)"
    WOMEN_SHARE = "women_share", "Tập thể có từ 70% nữ trở lên được ưu tiên"
    REFER_PARENT = "refer_parent", "Báo cáo cơ quan cấp trên quyết định"


class SecondRound(models.TextChoices):
    """When too few choices reach the threshold to fill the seats (DOMAIN.md, Voting [L]). The values
    are `thidua.conferences.rules.SecondRound`'s, which applies them."""

    NONE = "none", "Không bỏ phiếu vòng 2: suất còn trống"
    TOP_TWO = (
        "top_two",
        "Bỏ phiếu vòng 2 giữa hai phương án nhiều phiếu nhất và các phương án bằng phiếu với họ",
    )


# The most people a counting board's key is split among: a conference's counting board has a handful
# of members, and each share is a card to print, keep and type in at the count.
MAX_BOARD_KEY_HOLDERS = 9
_ONE_TO_NINE = f"Cần một số từ 1 đến {MAX_BOARD_KEY_HOLDERS}."
BOARD_KEY_RANGE = [
    MinValueValidator(1, message=_ONE_TO_NINE),
    MaxValueValidator(MAX_BOARD_KEY_HOLDERS, message=_ONE_TO_NINE),
]


class RegulationQuerySet(models.QuerySet["Regulation"]):
    def in_force(self, parent: Organization, year: int) -> Regulation | None:
        """The parent body's rule set that applies to `year`: the newest one starting on or before it."""
        return self.filter(parent=parent, valid_from_year__lte=year).order_by("-valid_from_year").first()


class Regulation(Versioned):
    """A parent body's versioned rule set (Quy chế). Old years keep the rules they were run under."""

    parent = models.ForeignKey(
        Organization, verbose_name="cơ quan cấp trên", on_delete=models.PROTECT, related_name="regulations"
    )
    valid_from_year = models.PositiveSmallIntegerField("áp dụng từ năm")
    title = models.CharField("tên quy chế", max_length=300)
    citation = models.CharField("văn bản ban hành", max_length=300)

    voting_unit = models.CharField(
        "đơn vị bỏ phiếu", max_length=20, choices=VotingUnit.choices, default=VotingUnit.ORGANIZATION
    )
    voting_unit_source = models.CharField("căn cứ: đơn vị bỏ phiếu", max_length=400)
    self_vote_allowed = models.BooleanField("đơn vị được bỏ phiếu cho chính mình", default=True)
    self_vote_source = models.CharField("căn cứ: tự bỏ phiếu", max_length=400)
    vote_base = models.CharField(
        "cơ sở tính tỷ lệ", max_length=20, choices=VoteBase.choices, default=VoteBase.PRESENT
    )
    vote_base_source = models.CharField("căn cứ: cơ sở tính tỷ lệ", max_length=400)
    threshold_numerator = models.PositiveSmallIntegerField("ngưỡng trúng: tử số", default=1)
    threshold_denominator = models.PositiveSmallIntegerField("ngưỡng trúng: mẫu số", default=2)
    threshold_inclusive = models.BooleanField(
        "ngưỡng tính cả bằng (≥)", default=False, help_text="Bỏ chọn: phải vượt quá ngưỡng (>)."
    )
    threshold_source = models.CharField("căn cứ: ngưỡng trúng", max_length=400)
    quorum_numerator = models.PositiveSmallIntegerField("số đại biểu tối thiểu: tử số", default=2)
    quorum_denominator = models.PositiveSmallIntegerField("số đại biểu tối thiểu: mẫu số", default=3)
    quorum_source = models.CharField("căn cứ: số đại biểu tối thiểu", max_length=400)
    seats = models.JSONField("số suất theo hình thức khen thưởng", default=dict)
    seats_source = models.CharField("căn cứ: số suất", max_length=400)
    tie_break_order = models.JSONField("thứ tự xử lý khi bằng nhau", default=list)
    tie_break_source = models.CharField("căn cứ: xử lý khi bằng nhau", max_length=400)
    scoring_bands = models.JSONField("xếp loại theo điểm", default=list)
    scoring_bands_source = models.CharField("căn cứ: xếp loại", max_length=400)
    council_threshold_numerator = models.PositiveSmallIntegerField("ngưỡng Hội đồng: tử số", default=4)
    council_threshold_denominator = models.PositiveSmallIntegerField("ngưỡng Hội đồng: mẫu số", default=5)
    council_threshold_source = models.CharField("căn cứ: ngưỡng Hội đồng", max_length=400)
    second_round = models.CharField(
        "khi không đủ phương án đạt ngưỡng",
        max_length=20,
        choices=SecondRound.choices,
        default=SecondRound.TOP_TWO,
        help_text="Với mỗi suất còn trống: hai phương án nhiều phiếu nhất (và các phương án bằng phiếu với họ).",
    )
    second_round_source = models.CharField("căn cứ: bỏ phiếu vòng 2", max_length=400)
    # The counting board's key (issue 14): a poll's decryption key is split so that any
    # `board_key_threshold` of the `board_key_holders` shares rebuild it, and fewer reveal nothing.
    board_key_threshold = models.PositiveSmallIntegerField(
        "số mảnh khóa cần để kiểm phiếu",
        default=2,
        validators=BOARD_KEY_RANGE,
    )
    board_key_holders = models.PositiveSmallIntegerField(
        "số thành viên ban kiểm phiếu giữ mảnh khóa",
        default=3,
        validators=BOARD_KEY_RANGE,
    )
    supervisor_holds_share = models.BooleanField(
        "đại diện cơ quan cấp trên giữ một mảnh khóa",
        default=False,
        help_text="Khi quy chế quy định: đại diện cơ quan cấp trên dự hội nghị giữ thêm một mảnh, "
        "ngoài các thành viên ban kiểm phiếu.",
    )
    board_key_source = models.CharField("căn cứ: khóa của ban kiểm phiếu", max_length=400)

    objects = RegulationQuerySet.as_manager()

    class Meta:
        verbose_name = "quy chế"
        verbose_name_plural = "quy chế"
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "valid_from_year"], name="one_regulation_per_start_year"
            ),
            models.CheckConstraint(
                condition=Q(threshold_denominator__gt=0)
                & Q(quorum_denominator__gt=0)
                & Q(council_threshold_denominator__gt=0),
                name="regulation_fractions_have_denominators",
            ),
            models.CheckConstraint(
                condition=Q(board_key_threshold__gte=1)
                & Q(board_key_threshold__lte=F("board_key_holders"))
                & Q(board_key_holders__lte=MAX_BOARD_KEY_HOLDERS),
                name="regulation_board_key_k_of_n",
                violation_error_message=(
                    "Số mảnh khóa cần để kiểm phiếu phải từ 1 đến số thành viên giữ mảnh khóa, "
                    f"và tối đa {MAX_BOARD_KEY_HOLDERS} thành viên giữ mảnh khóa."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (từ năm {self.valid_from_year})"

    @property
    def threshold(self) -> Fraction:
        return Fraction(self.threshold_numerator, self.threshold_denominator)

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.quorum_numerator, self.quorum_denominator)

    @property
    def council_threshold(self) -> Fraction:
        return Fraction(self.council_threshold_numerator, self.council_threshold_denominator)

    def rule_rows(self) -> list[dict[str, Any]]:
        """Each rule with its value in words and its source, for the page that shows where rules come from."""
        seats = ", ".join(
            f"{AwardForm(form).label if form in AwardForm.values else form}: {count}"
            for form, count in self.seats.items()
        )
        ties = " → ".join(TieBreak(t).label if t in TieBreak.values else t for t in self.tie_break_order)
        bands = "; ".join(f"{b['label']}: từ {b['min']}%" for b in self.scoring_bands)
        comparison = "≥" if self.threshold_inclusive else ">"
        return [
            {
                "rule": "Đơn vị bỏ phiếu",
                "value": self.get_voting_unit_display(),
                "source": self.voting_unit_source,
            },
            {
                "rule": "Tự bỏ phiếu cho đơn vị mình",
                "value": "Được phép" if self.self_vote_allowed else "Không được phép",
                "source": self.self_vote_source,
            },
            {
                "rule": "Cơ sở tính tỷ lệ",
                "value": self.get_vote_base_display(),
                "source": self.vote_base_source,
            },
            {
                "rule": "Ngưỡng trúng",
                "value": f"{comparison} {rules.fraction_words(self.threshold)} cơ sở tính",
                "source": self.threshold_source,
            },
            {
                "rule": "Số đại biểu tối thiểu",
                "value": f"≥ {rules.fraction_words(self.quorum)} số người có quyền bỏ phiếu",
                "source": self.quorum_source,
            },
            {"rule": "Số suất", "value": seats, "source": self.seats_source},
            {"rule": "Khi bằng nhau", "value": ties, "source": self.tie_break_source},
            {"rule": "Xếp loại", "value": bands, "source": self.scoring_bands_source},
            {
                "rule": "Ngưỡng Hội đồng TĐKT cấp trên",
                "value": f"≥ {rules.fraction_words(self.council_threshold)} tổng số thành viên Hội đồng",
                "source": self.council_threshold_source,
            },
            {
                "rule": "Khi không đủ phương án đạt ngưỡng",
                "value": self.get_second_round_display(),
                "source": self.second_round_source,
            },
            {
                "rule": "Khóa của ban kiểm phiếu",
                "value": f"Cần {self.board_key_threshold} trong {self.board_key_holders} mảnh khóa "
                "do thành viên ban kiểm phiếu giữ"
                + ("; đại diện cơ quan cấp trên giữ thêm một mảnh" if self.supervisor_holds_share else ""),
                "source": self.board_key_source,
            },
        ]


# NĐ 152/2025/NĐ-CP, Điều 4 khoản 6 is judged on a share from 0 to 100%; two decimals hold what an
# organization reports ("72,5%"), and the tie-break reads the stored Decimal exactly.
_PERCENT_WORDS = "Tỷ lệ nữ (%) phải từ 0 đến 100."
PERCENT_RANGE = [
    MinValueValidator(Decimal(0), message=_PERCENT_WORDS),
    MaxValueValidator(Decimal(100), message=_PERCENT_WORDS),
]


class WomenShare(models.Model):
    """An organization's share of women in one year, with where the figure comes from. The tie-break's
    women-share step reads it (NĐ 152/2025/NĐ-CP, Điều 4 khoản 6: a collective with 70% women or more
    has priority among equals; DOMAIN.md, Voting: "the share of women of each collective is recorded per
    year"). A year without a figure is a year the step cannot judge the organization on."""

    organization = models.ForeignKey(
        Organization, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="women_shares"
    )
    year = models.PositiveSmallIntegerField("năm")
    percent = models.DecimalField("tỷ lệ nữ (%)", max_digits=5, decimal_places=2, validators=PERCENT_RANGE)
    source = models.CharField(
        "căn cứ",
        max_length=400,
        help_text="Văn bản có số liệu, ví dụ: Báo cáo số lượng cán bộ ngày 31/12/2026. "
        "Ghi “Dữ liệu minh họa” nếu không phải số liệu thật.",
    )

    class Meta:
        verbose_name = "tỷ lệ nữ"
        verbose_name_plural = "tỷ lệ nữ"
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="one_women_share_per_year"),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="women_share_percent_0_to_100",
                violation_error_message=_PERCENT_WORDS,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name_in_year(self.year)} — {self.year}: {self.percent}%"

    @property
    def share(self) -> Fraction:
        """The share as an exact ratio from 0 to 1, as the tie-break reads it: 70,00% is exactly 7/10."""
        return Fraction(self.percent) / 100


class Position(models.TextChoices):
    """The positions whose holders sign for an organization or do its emulation work (issue 15, part 2)."""

    CHAIRMAN = "chairman", "Chủ tịch"
    ACTING_CHAIRMAN = "acting_chairman", "Quyền Chủ tịch"
    VICE_CHAIRMAN = "vice_chairman", "Phó Chủ tịch"
    OFFICE_CHIEF = "office_chief", "Chánh Văn phòng"
    EMULATION_OFFICER = "emulation_officer", "Cán bộ thi đua"


class Officeholder(models.Model):
    """A person holding a position of an organization from one day to another: a document prints the
    signer in office on its date (NĐ 30/2020/NĐ-CP, Điều 13), and a conference picks its chair and
    secretary from these people. Terms of one sole position never overlap (rules.overlapping_terms)."""

    organization = models.ForeignKey(
        Organization, verbose_name="đơn vị", on_delete=models.PROTECT, related_name="officeholders"
    )
    full_name = models.CharField("họ và tên", max_length=150)
    position = models.CharField("chức vụ", max_length=20, choices=Position.choices)
    started_on = models.DateField("từ ngày")
    ended_on = models.DateField("đến ngày", null=True, blank=True, help_text="Để trống nếu đang giữ chức.")
    source = models.CharField(
        "căn cứ",
        max_length=300,
        blank=True,
        help_text="Quyết định bổ nhiệm, công nhận; ghi “Dữ liệu minh họa” nếu không phải số liệu thật.",
    )

    class Meta:
        verbose_name = "lãnh đạo đơn vị"
        verbose_name_plural = "lãnh đạo đơn vị"
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="officeholder_ends_after_it_starts",
                violation_error_message="Ngày thôi giữ chức phải từ ngày bắt đầu trở đi.",
            ),
        ]
        indexes = [models.Index(fields=["organization", "position", "started_on"])]

    def __str__(self) -> str:
        return f"{self.get_position_display()} {self.full_name}"

    def term(self) -> rules.Term:
        return rules.Term(self.pk, self.full_name, self.position, self.started_on, self.ended_on)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang nhập"
    DONE = "done", "Đã nhập xong"
    REJECTED = "rejected", "Không nhập (tệp có lỗi)"
    FAILED = "failed", "Không nhập được"


class ImportJob(models.Model):
    """A confirmed Excel import of a parent body's registry, run by the worker (organizations/importing.py):
    a national file of twelve thousand units takes longer than a web request should. The page of the job
    shows where it stands and, once finished, its result or every problem by sheet, row and column."""

    uuid = models.UUIDField(unique=True, editable=False)
    parent = models.ForeignKey(
        Organization, verbose_name="cơ quan cấp trên", on_delete=models.CASCADE, related_name="import_jobs"
    )
    actor = models.ForeignKey(
        "accounts.User", verbose_name="người nhập", on_delete=models.PROTECT, related_name="+"
    )
    # The checked upload in the default storage, kept until the import is written; the preview's counts.
    stored_path = models.CharField(max_length=200)
    filename = models.CharField("tệp", max_length=255, blank=True)
    planned = models.JSONField("dự kiến", default=dict)
    status = models.CharField(
        "trạng thái", max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    counts = models.JSONField("kết quả", default=dict)
    # Each problem as the preview shows it: sheet, row, column, message.
    problems = models.JSONField("lỗi", default=list)
    message = models.CharField("ghi chú", max_length=500, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu", null=True, blank=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lượt nhập Excel"
        verbose_name_plural = "lượt nhập Excel"

    def __str__(self) -> str:
        return f"{self.filename or self.uuid} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED}
