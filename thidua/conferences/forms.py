from __future__ import annotations

from typing import Any

from django import forms

from thidua.organizations.models import Organization
from thidua.web.submits import SubmitKeyField


class ConferenceForm(forms.Form):
    title = forms.CharField(label="Tên hội nghị", max_length=300)
    starts_at = forms.DateTimeField(
        label="Thời gian", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label="Địa điểm", max_length=300)
    host = forms.ModelChoiceField(label="Đơn vị đăng cai", queryset=Organization.objects.none())
    chair = forms.CharField(label="Chủ trì", max_length=200, required=False)
    secretary = forms.CharField(label="Thư ký", max_length=200, required=False)
    supervisor = forms.CharField(
        label="Đại diện cơ quan cấp trên dự, chỉ đạo", max_length=200, required=False
    )
    agenda = forms.CharField(label="Chương trình", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    # A new conference's one-time key; an edit's version of what the form showed (thidua.web.versioning).
    submit_key = SubmitKeyField()
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = members  # type: ignore[attr-defined]
        self.fields["host"].label_from_instance = lambda o: o.current_name  # type: ignore[attr-defined]


class DelegateForm(forms.Form):
    organization = forms.ModelChoiceField(
        label="Đơn vị", queryset=Organization.objects.none(), required=False, empty_label="(Khách mời)"
    )
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    job_title = forms.CharField(label="Chức vụ", max_length=150, required=False)
    votes = forms.BooleanField(label="Có quyền biểu quyết", required=False)
    counting_board = forms.BooleanField(label="Thành viên ban kiểm phiếu", required=False)
    submit_key = SubmitKeyField()

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = members  # type: ignore[attr-defined]
        self.fields["organization"].label_from_instance = lambda o: o.current_name  # type: ignore[attr-defined]


class PaperCountForm(forms.Form):
    issued = forms.IntegerField(label="Số phiếu phát ra", min_value=0)
    returned = forms.IntegerField(label="Số phiếu thu về", min_value=0)
    valid = forms.IntegerField(label="Số phiếu hợp lệ (có chọn)", min_value=0)
    blank = forms.IntegerField(label="Số phiếu trắng", min_value=0, initial=0)
    invalid = forms.IntegerField(label="Số phiếu không hợp lệ", min_value=0)

    def __init__(self, *args: Any, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for choice in choices:
            self.fields[f"choice_{choice.key}"] = forms.IntegerField(
                label=f"Số phiếu: {choice.label}", min_value=0
            )

    def counts(self) -> dict[str, int]:
        return {
            name.removeprefix("choice_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("choice_")
        }


class ConfirmForm(forms.Form):
    """A step that cannot be undone asks for a ticked box first: works without JavaScript."""

    xac_nhan = forms.BooleanField(required=True)

    def __init__(self, *args: Any, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["xac_nhan"].label = label
