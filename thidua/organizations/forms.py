from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from thidua.lib.decimals import format_vietnamese_decimal, parse_vietnamese_decimal
from thidua.organizations import rules
from thidua.organizations.models import (
    AwardForm,
    GroupKind,
    LeadershipRole,
    Officeholder,
    Organization,
    OrganizationKind,
    Position,
    Regulation,
    TieBreak,
)


class OrganizationChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": "Đơn vị này không có trong danh sách được chọn (có thể đã thôi hoạt động hoặc sáp nhập)."
    }

    def label_from_instance(self, obj: Organization) -> str:
        return obj.current_name


class GroupForm(forms.Form):
    kind = forms.ChoiceField(label="Loại", choices=GroupKind.choices)
    number = forms.IntegerField(label="Số", min_value=1, max_value=999)
    nickname = forms.CharField(label="Tên gọi khác", required=False, max_length=120)
    notes = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class GroupEditForm(forms.Form):
    nickname = forms.CharField(label="Tên gọi khác", required=False, max_length=120)
    notes = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MembershipForm(forms.Form):
    organization = OrganizationChoiceField(label="Đơn vị", queryset=Organization.objects.none())

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = candidates  # type: ignore[attr-defined]


class CopyMembershipsForm(forms.Form):
    from_year = forms.IntegerField(label="Chép danh sách thành viên từ năm", min_value=2000, max_value=2100)


class LeadershipForm(forms.Form):
    role = forms.ChoiceField(label="Vai trò", choices=LeadershipRole.choices)
    organization = OrganizationChoiceField(label="Đơn vị", queryset=Organization.objects.none())
    source = forms.CharField(
        label="Căn cứ",
        required=False,
        max_length=300,
        help_text="Ví dụ: Biên bản hội nghị tổng kết ngày 08/12/2023. Ghi “Dữ liệu minh họa” nếu không phải số liệu thật.",
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = members  # type: ignore[attr-defined]


class OrganizationCreateForm(forms.Form):
    code = forms.SlugField(
        label="Mã đơn vị", max_length=60, help_text="Chữ thường không dấu, ví dụ: lhh-ninh-binh"
    )
    kind = forms.ChoiceField(
        label="Loại đơn vị",
        choices=[c for c in OrganizationKind.choices if c[0] != OrganizationKind.PARENT_BODY],
    )
    name = forms.CharField(label="Tên đầy đủ", max_length=300)
    short_name = forms.CharField(label="Tên viết tắt", max_length=120, required=False)
    valid_from = forms.DateField(label="Tên có hiệu lực từ", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label="Căn cứ", max_length=300, required=False)


class RenameForm(forms.Form):
    name = forms.CharField(label="Tên mới", max_length=300)
    short_name = forms.CharField(label="Tên viết tắt mới", max_length=120, required=False)
    valid_from = forms.DateField(label="Có hiệu lực từ", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label="Căn cứ (quyết định, nghị quyết)", max_length=300, required=False)


class MergerForm(forms.Form):
    successor = OrganizationChoiceField(label="Sáp nhập vào đơn vị", queryset=Organization.objects.none())
    on = forms.DateField(label="Từ ngày", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label="Căn cứ", max_length=300, required=False)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = candidates  # type: ignore[attr-defined]


class ProfileForm(forms.ModelForm):
    website = forms.URLField(label="Trang thông tin", required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["head_name", "head_title", "address", "phone", "email", "website"]


class RegulationForm(forms.ModelForm):
    """Seats, tie-break order and scoring bands are edited as short lines of text, not JSON."""

    seats_text = forms.CharField(
        label="Số suất theo hình thức khen thưởng",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mỗi dòng: mã hình thức = số suất. Mã: " + ", ".join(AwardForm.values),
    )
    tie_break_text = forms.CharField(
        label="Thứ tự xử lý khi bằng nhau",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Mỗi dòng một bước, theo thứ tự; áp dụng khi xếp hạng, suy tôn và bầu cụm trưởng, cụm phó. Mã: "
        + ", ".join(f"{value} ({label.lower()})" for value, label in TieBreak.choices)
        + ". Các bước đã nêu vẫn không phân định được thì đề nghị cấp trên xem xét.",
    )
    bands_text = forms.CharField(
        label="Xếp loại theo điểm (% điểm tối đa)",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Mỗi dòng: từ bao nhiêu % = tên xếp loại, ví dụ: 90 = Hoàn thành xuất sắc",
    )

    class Meta:
        model = Regulation
        fields = [
            "title",
            "citation",
            "voting_unit",
            "voting_unit_source",
            "self_vote_allowed",
            "self_vote_source",
            "vote_base",
            "vote_base_source",
            "threshold_numerator",
            "threshold_denominator",
            "threshold_inclusive",
            "threshold_source",
            "quorum_numerator",
            "quorum_denominator",
            "quorum_source",
            "seats_source",
            "tie_break_source",
            "scoring_bands_source",
            "council_threshold_numerator",
            "council_threshold_denominator",
            "council_threshold_source",
            "second_round",
            "second_round_source",
            "board_key_threshold",
            "board_key_holders",
            "supervisor_holds_share",
            "board_key_source",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regulation: Regulation = self.instance
        if not self.is_bound and regulation is not None:
            self.initial["seats_text"] = "\n".join(f"{k} = {v}" for k, v in (regulation.seats or {}).items())
            self.initial["tie_break_text"] = "\n".join(regulation.tie_break_order or [])
            self.initial["bands_text"] = "\n".join(
                f"{b['min']} = {b['label']}" for b in regulation.scoring_bands or []
            )

    def clean_seats_text(self) -> dict[str, int]:
        seats: dict[str, int] = {}
        for number, line in enumerate(self.cleaned_data["seats_text"].splitlines(), start=1):
            if not line.strip():
                continue
            code, _, count = line.partition("=")
            code = code.strip()
            if code not in AwardForm.values:
                raise ValidationError(f"Dòng {number}: không có hình thức khen thưởng «{code}».")
            if not count.strip().isdigit():
                raise ValidationError(f"Dòng {number}: số suất phải là số nguyên không âm.")
            seats[code] = int(count)
        return seats

    def clean_tie_break_text(self) -> list[str]:
        steps = [line.strip() for line in self.cleaned_data["tie_break_text"].splitlines() if line.strip()]
        for number, step in enumerate(steps, start=1):
            if step not in TieBreak.values:
                raise ValidationError(f"Dòng {number}: không có bước xử lý «{step}».")
        if len(set(steps)) != len(steps):
            raise ValidationError("Mỗi bước chỉ được nêu một lần.")
        return steps

    def clean_bands_text(self) -> list[dict[str, str]]:
        bands = []
        for number, line in enumerate(self.cleaned_data["bands_text"].splitlines(), start=1):
            if not line.strip():
                continue
            minimum, _, label = line.partition("=")
            try:
                value = parse_vietnamese_decimal(minimum)
            except ValueError as error:
                raise ValidationError(f"Dòng {number}: {error}") from None
            if not 0 <= value <= 100 or not label.strip():
                raise ValidationError(f"Dòng {number}: cần dạng «số từ 0 đến 100 = tên xếp loại».")
            bands.append({"min": str(value), "label": label.strip()})
        return sorted(bands, key=lambda b: -Decimal(b["min"]))

    # The version the form showed; 0 when it starts a version that is not stored yet.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)

    def service_values(self) -> dict[str, Any]:
        values = {f: self.cleaned_data[f] for f in self.Meta.fields}
        values["seats"] = self.cleaned_data["seats_text"]
        values["tie_break_order"] = self.cleaned_data["tie_break_text"]
        values["scoring_bands"] = self.cleaned_data["bands_text"]
        return values


class RegulationYearForm(forms.Form):
    valid_from_year = forms.IntegerField(label="Áp dụng từ năm", min_value=2000, max_value=2100)


class WomenShareForm(forms.Form):
    """An organization's share of women in a year, typed the Vietnamese way ("72,5"), with its source."""

    year = forms.IntegerField(
        label="Năm",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Năm: cần ghi năm của số liệu.",
            "invalid": "Năm: phải là một số, ví dụ 2026.",
            "min_value": "Năm: phải từ 2000 đến 2100.",
            "max_value": "Năm: phải từ 2000 đến 2100.",
        },
    )
    percent = forms.CharField(
        label="Tỷ lệ nữ (%)",
        max_length=12,
        help_text="Số nữ trên tổng số cán bộ, người lao động của đơn vị, ví dụ 72,5. "
        "Tập thể có từ 70% nữ trở lên được ưu tiên khi bằng nhau (NĐ 152/2025/NĐ-CP, Điều 4 khoản 6).",
        error_messages={"required": "Tỷ lệ nữ (%): cần ghi một số từ 0 đến 100."},
    )
    source = forms.CharField(
        label="Căn cứ",
        max_length=400,
        help_text="Văn bản có số liệu, ví dụ: Báo cáo số lượng cán bộ ngày 31/12/2026. "
        "Ghi “Dữ liệu minh họa” nếu không phải số liệu thật.",
        error_messages={"required": "Căn cứ: cần ghi văn bản, báo cáo có số liệu tỷ lệ nữ."},
    )

    @classmethod
    def initial_for(cls, share: Any) -> dict[str, Any]:
        """What the form shows for a figure already recorded (a `WomenShare`), to correct it."""
        return {
            "year": share.year,
            "percent": format_vietnamese_decimal(share.percent),
            "source": share.source,
        }

    def clean_percent(self) -> Decimal:
        try:
            value = parse_vietnamese_decimal(self.cleaned_data["percent"])
        except ValueError as error:
            raise ValidationError(f"Tỷ lệ nữ (%): {error}") from None
        if problem := rules.women_percent_problem(value):
            raise ValidationError(problem)
        return value


class OfficeholderForm(forms.Form):
    """One term of an officeholder, as an officer types it (issue 15, part 2)."""

    full_name = forms.CharField(label="Họ và tên", max_length=150)
    position = forms.ChoiceField(label="Chức vụ", choices=Position.choices)
    started_on = forms.DateField(label="Từ ngày", widget=forms.DateInput(attrs={"type": "date"}))
    ended_on = forms.DateField(
        label="Đến ngày",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Để trống nếu đang giữ chức.",
    )
    source = forms.CharField(
        label="Căn cứ",
        required=False,
        max_length=300,
        help_text="Quyết định bổ nhiệm, công nhận; ghi “Dữ liệu minh họa” nếu không phải số liệu thật.",
    )

    @classmethod
    def initial_for(cls, holder: Officeholder) -> dict[str, Any]:
        return {f: getattr(holder, f) for f in ("full_name", "position", "started_on", "ended_on", "source")}
