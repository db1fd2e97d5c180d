"""Score sheets in Excel; included under `nam-thi-dua/<slug:slug>/<int:year>/`."""

from django.urls import path

from thidua.assessments import excel_views

app_name = "score_excel"
urlpatterns = [
    path("cham-diem/<slug:org_code>/bang-diem.xlsx", excel_views.export, name="export"),
    path("cham-diem/<slug:org_code>/nhap-excel/", excel_views.import_upload, name="import"),
    path("cham-diem/<slug:org_code>/nhap-excel/xac-nhan/", excel_views.import_confirm, name="import_confirm"),
    path("tong-hop.xlsx", excel_views.summary, name="summary"),
]
