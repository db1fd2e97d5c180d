from __future__ import annotations

from typing import Any

from django import forms

from thidua.conferences.models import ConferenceRole
from thidua.organizations.models import Officeholder, Organization, OrganizationKind
from thidua.web.submits import SubmitKeyField


class ConferenceForm(forms.Form):
    title = forms.CharField(label="Tên hội nghị", max_length=300)
    starts_at = forms.DateTimeField(
        label="Thời gian", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label="Địa điểm", max_length=300)
    host = forms.ModelChoiceField(label="Đơn vị đăng cai", queryset=Organization.objects.none())
    agenda = forms.CharField(label="Chương trình", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    # A new conference's one-time key; an edit's version of what the form showed (thidua.web.versioning).
    submit_key = SubmitKeyField()
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = members  # type: ignore[attr-defined]
        self.fields["host"].label_from_instance = lambda o: o.current_name  # type: ignore[attr-defined]


class DelegateForm(forms.Form):
    """A delegate: picked from the organizations' leaders in office on the conference's day (the name, the
    position and the organization come from there), or typed for anyone else (issue 15, part 2)."""

    officeholder = forms.ModelChoiceField(
        label="Chọn từ lãnh đạo các đơn vị",
        queryset=Officeholder.objects.none(),
        required=False,
        empty_label="(Ghi tay bên dưới)",
        help_text="Họ tên, chức vụ và đơn vị lấy từ trang «Lãnh đạo đơn vị».",
    )
    organization = forms.ModelChoiceField(
        label="Đơn vị", queryset=Organization.objects.none(), required=False, empty_label="(Khách mời)"
    )
    full_name = forms.CharField(label="Họ và tên", max_length=150, required=False)
    job_title = forms.CharField(label="Chức vụ", max_length=150, required=False)
    votes = forms.BooleanField(label="Có quyền biểu quyết", required=False)
    counting_board = forms.BooleanField(label="Thành viên ban kiểm phiếu", required=False)
    role = forms.ChoiceField(
        label="Vai trò tại hội nghị", choices=[("", "(Không)"), *ConferenceRole.choices], required=False
    )
    submit_key = SubmitKeyField()

    def __init__(self, *args: Any, members: Any, leaders: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = members  # type: ignore[attr-defined]
        self.fields["organization"].label_from_instance = lambda o: o.current_name  # type: ignore[attr-defined]
        self.fields["officeholder"].queryset = (  # type: ignore[attr-defined]
            leaders if leaders is not None else Officeholder.objects.none()
        )
        self.fields["officeholder"].label_from_instance = (  # type: ignore[attr-defined]
            lambda h: f"{h.full_name} — {h.get_position_display()}, {h.organization.current_name}"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        holder = data.get("officeholder")
        if holder is not None:
            # The leader's own record wins over whatever was typed beside it.
            data["full_name"] = holder.full_name
            data["job_title"] = holder.get_position_display()
            data["organization"] = (
                holder.organization if holder.organization.kind != OrganizationKind.PARENT_BODY else None
            )
        elif not data.get("full_name"):
            self.add_error("full_name", "Cần ghi họ tên đại biểu, hoặc chọn từ lãnh đạo các đơn vị.")
        data.pop("officeholder", None)
        return data


class ConferenceRolesForm(forms.Form):
    """The conference's chair, secretary and parent body's representative, picked from its delegates."""

    def __init__(self, *args: Any, delegates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for role, label in ConferenceRole.choices:
            field = forms.ModelChoiceField(
                label=label, queryset=delegates, required=False, empty_label="(Chưa chọn)"
            )
            field.label_from_instance = lambda d: d.words()  # type: ignore[method-assign,assignment]
            self.fields[role] = field


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
