"""Excel import of a parent body's registry; included under `cap-tren/<slug:parent_code>/nhap-excel/`."""

from django.urls import path

from thidua.organizations import import_views

app_name = "registry_import"
urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("mau.xlsx", import_views.template, name="template"),
    path("xac-nhan/", import_views.confirm, name="confirm"),
    path("luot-nhap/<uuid:job>/", import_views.job_page, name="job"),
    path("luot-nhap/<uuid:job>/trang-thai/", import_views.job_status, name="job_status"),
]
