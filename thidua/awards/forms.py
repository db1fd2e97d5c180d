from __future__ import annotations

from typing import Any

from django import forms

from thidua.awards.models import Proposal
from thidua.documents.models import Document
from thidua.organizations.models import AwardForm, Organization


def _names(field: forms.Field) -> None:
    field.label_from_instance = lambda o: o.current_name  # type: ignore[attr-defined]


class DocumentsForm(forms.Form):
    documents = forms.ModelMultipleChoiceField(
        label="Văn bản trong hồ sơ",
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tờ trình (TTr), biên bản hội nghị và biên bản kiểm phiếu (BB), báo cáo tổng hợp điểm (BC).",
    )

    def __init__(self, *args: Any, documents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["documents"]
        field.queryset = documents  # type: ignore[attr-defined]
        field.label_from_instance = (  # type: ignore[attr-defined]
            # With the date: numbers start again each year, so the number alone may name two documents.
            lambda d: f"{d.number_text} ngày {d.date:%d/%m/%Y} — {d.get_doc_type_display()}: {d.summary}"
        )


class ProposalForm(forms.Form):
    # The dossier page shows this form and the report form together: prefixes keep their ids apart.
    prefix = "de-nghi"
    organization = forms.ModelChoiceField(label="Đơn vị", queryset=Organization.objects.none())
    award_form = forms.ChoiceField(label="Hình thức khen thưởng", choices=AwardForm.choices)

    def __init__(self, *args: Any, members: Any, award_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = members  # type: ignore[attr-defined]
        _names(self.fields["organization"])
        self.fields["award_form"].choices = award_choices  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    prefix = "bao-cao"
    organization = forms.ModelChoiceField(label="Đơn vị", queryset=Organization.objects.none())
    file = forms.FileField(label="Báo cáo thành tích (PDF hoặc Word .docx)")

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        _names(self.fields["organization"])
        # An officer of one nominated member has nothing to choose: that member is picked already.
        only = list(organizations[:2])
        if len(only) == 1:
            self.fields["organization"].initial = only[0].pk


class ReturnForm(forms.Form):
    reason = forms.CharField(label="Lý do trả lại", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CouncilVoteForm(forms.Form):
    members = forms.IntegerField(label="Tổng số thành viên Hội đồng", min_value=1)
    present = forms.IntegerField(label="Số thành viên có mặt", min_value=0)

    def __init__(self, *args: Any, proposals: list[tuple[Proposal, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for proposal, label in proposals:
            self.fields[f"votes_{proposal.pk}"] = forms.IntegerField(
                label=f"Số phiếu đồng ý: {label}",
                min_value=0,
                help_text="Gồm cả phiếu bằng văn bản của thành viên vắng mặt.",
            )

    def votes(self) -> dict[int, int | None]:
        return {
            int(name.removeprefix("votes_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("votes_")
        }


class DecisionForm(forms.Form):
    number = forms.CharField(label="Số quyết định", max_length=60, help_text="Ví dụ: 123/QĐ-LHHVN")
    date = forms.DateField(label="Ngày quyết định", widget=forms.DateInput(attrs={"type": "date"}))
    signer_name = forms.CharField(label="Họ tên người ký", max_length=150)
    signer_title = forms.CharField(label="Chức vụ người ký", max_length=150)
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)


# --- The parent body's overview (issue 16): filters read from the address, every one optional. A value
# the form does not know is said in Vietnamese and that filter left out, never guessed.

KIND_WORDS = {"cum": "cluster", "khoi": "block"}


class OverviewFilterForm(forms.Form):
    q = forms.CharField(label="Tìm cụm, khối hoặc đơn vị thành viên", required=False, max_length=100)
    loai = forms.ChoiceField(
        label="Loại",
        required=False,
        choices=[("", "Cụm và khối"), ("cum", "Cụm thi đua"), ("khoi", "Khối thi đua")],
    )
    giai_doan = forms.ChoiceField(label="Giai đoạn", required=False)
    tre_han = forms.BooleanField(label="Chỉ những cụm, khối trễ hạn", required=False)

    def __init__(self, *args: Any, stages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["giai_doan"].choices = [("", "Mọi giai đoạn"), *stages]  # type: ignore[attr-defined]


class DossierFilterForm(forms.Form):
    q = forms.CharField(label="Tìm cụm, khối hoặc đơn vị gửi hồ sơ", required=False, max_length=100)
    trang_thai = forms.ChoiceField(label="Trạng thái", required=False)

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trang_thai"].choices = [("", "Mọi trạng thái"), *states]  # type: ignore[attr-defined]


class DecisionFilterForm(forms.Form):
    q = forms.CharField(
        label="Tìm số quyết định, ghi chú hoặc đơn vị được khen thưởng", required=False, max_length=100
    )


class HistoryFilterForm(forms.Form):
    q = forms.CharField(label="Tìm đơn vị", required=False, max_length=100)
    hinh_thuc = forms.ChoiceField(label="Hình thức khen thưởng", required=False)
    nam = forms.IntegerField(
        label="Năm",
        required=False,
        min_value=1990,
        max_value=2100,
        error_messages={"invalid": "Năm phải là số, ví dụ 2023."},
    )

    def __init__(self, *args: Any, forms_named: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hinh_thuc"].choices = [("", "Mọi hình thức"), *forms_named]  # type: ignore[attr-defined]
