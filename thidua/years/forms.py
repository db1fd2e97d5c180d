"""The year's deadlines, and opening a year."""

from __future__ import annotations

from django import forms


class DeadlinesForm(forms.Form):
    signing_due = forms.DateField(
        label="Hạn ký giao ước", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    self_scoring_due = forms.DateField(
        label="Hạn tự chấm điểm", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    review_due = forms.DateField(
        label="Hạn chấm chéo", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    answer_due = forms.DateField(
        label="Hạn giải trình", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    conference_date = forms.DateField(
        label="Ngày hội nghị tổng kết", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    dossier_due = forms.DateField(
        label="Hạn gửi hồ sơ khen thưởng", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reminder_days = forms.IntegerField(
        label="Nhắc việc qua e-mail trước hạn (ngày)",
        min_value=0,
        max_value=60,
        required=False,
        help_text="0: không gửi thư nhắc trước hạn; thư báo việc mới và quá hạn vẫn gửi.",
    )


class OpenYearForm(DeadlinesForm):
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)

    # The year first: the deadlines below are suggested for it.
    field_order = ["year"]
