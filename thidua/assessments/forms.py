from __future__ import annotations

from django import forms


class EvidenceForm(forms.Form):
    file = forms.FileField(label="Tệp minh chứng (PDF, ảnh, Word, Excel)")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Lý do", widget=forms.Textarea(attrs={"rows": 2}))
