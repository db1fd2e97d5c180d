from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from thidua.agreements.models import CriterionGroup, CriterionKind
from thidua.lib.decimals import format_vietnamese_decimal, parse_vietnamese_decimal
from thidua.organizations.models import Organization


class VietnameseDecimalField(forms.CharField):
    """A number typed the Vietnamese way ("7,5") or the English way ("7.5"); always a Decimal."""

    def __init__(self, *args: Any, min_value: Decimal | None = None, **kwargs: Any) -> None:
        self.min_value = min_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 6}))
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        try:
            number = parse_vietnamese_decimal(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if self.min_value is not None and number < self.min_value:
            raise forms.ValidationError(f"Phải từ {format_vietnamese_decimal(self.min_value)} trở lên.")
        return number

    def prepare_value(self, value: Any) -> Any:
        # A stored number is shown as it is to be typed, "7,5", not the database's "7.50"; what the user
        # typed comes back as typed.
        if isinstance(value, Decimal):
            return format_vietnamese_decimal(value)
        return super().prepare_value(value)


class ShowsVersion(forms.Form):
    """An edit form of a versioned row: it posts back the version it showed (thidua.web.versioning)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class AgreementTextForm(ShowsVersion):
    title = forms.CharField(label="Tên giao ước", max_length=300)
    goals = forms.CharField(label="Mục tiêu", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    commitments = forms.CharField(label="Cam kết", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    bonus_cap = VietnameseDecimalField(label="Điểm thưởng tối đa", required=False, min_value=Decimal(0))
    penalty_cap = VietnameseDecimalField(label="Điểm trừ tối đa", required=False, min_value=Decimal(0))
    tie_break_group_code = forms.CharField(
        label="Khi bằng tổng điểm, xét điểm nhóm tiêu chí (mã)", required=False, max_length=10
    )

    def service_values(self) -> dict[str, Any]:
        """What the service saves: the text, without the version the form carries."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class CriterionGroupForm(ShowsVersion):
    code = forms.CharField(label="Mã nhóm", max_length=10)
    title = forms.CharField(label="Tên nhóm tiêu chí", max_length=300)
    max_points = VietnameseDecimalField(label="Điểm tối đa", min_value=Decimal(0))


class CriterionForm(ShowsVersion):
    group = forms.ModelChoiceField(label="Nhóm tiêu chí", queryset=CriterionGroup.objects.none())
    code = forms.CharField(label="Mã tiêu chí", max_length=16)
    text = forms.CharField(label="Tiêu chí", widget=forms.Textarea(attrs={"rows": 2}))
    guidance = forms.CharField(
        label="Hướng dẫn chấm, minh chứng", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label="Cách chấm", choices=CriterionKind.choices)
    max_points = VietnameseDecimalField(label="Điểm tối đa", min_value=Decimal(0))
    target = VietnameseDecimalField(
        label="Chỉ tiêu (tiêu chí định lượng)", required=False, min_value=Decimal(0)
    )
    points_per_unit = VietnameseDecimalField(
        label="Điểm mỗi lần (tính theo lần)", required=False, min_value=Decimal(0)
    )
    evidence_required = forms.BooleanField(label="Bắt buộc minh chứng", required=False)

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class SignForm(forms.Form):
    signer_name = forms.CharField(label="Người ký (thủ trưởng đơn vị)", max_length=150)
    signer_title = forms.CharField(label="Chức vụ", max_length=150)
    confirm = forms.BooleanField(label="Tôi xác nhận đơn vị đồng ý các nội dung giao ước trên.")


class PaperSignForm(forms.Form):
    organization: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Đơn vị", queryset=Organization.objects.none()
    )
    signer_name = forms.CharField(label="Người ký", max_length=150)
    signer_title = forms.CharField(label="Chức vụ", max_length=150)
    signed_on = forms.DateField(label="Ngày ký", widget=forms.DateInput(attrs={"type": "date"}))
    scan = forms.FileField(label="Bản quét trang ký (PDF)")

    def __init__(self, *args: Any, unsigned: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = unsigned  # type: ignore[attr-defined]
        self.fields["organization"].label_from_instance = lambda o: o.current_name  # type: ignore[attr-defined]


class AmendForm(forms.Form):
    reason = forms.CharField(label="Lý do sửa đổi", widget=forms.Textarea(attrs={"rows": 2}))
