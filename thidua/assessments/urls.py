from django.urls import path

from thidua.assessments import views

app_name = "scoring"
urlpatterns = [
    path("cham-diem/<slug:org_code>/", views.sheet, name="sheet"),
    path("cham-diem/<slug:org_code>/nop/", views.submit, name="submit"),
    path("cham-diem/<slug:org_code>/mo-lai/", views.reopen, name="reopen"),
    path("cham-diem/<slug:org_code>/sua-doi/<int:pk>/da-xem/", views.effect_read, name="effect_read"),
    path(
        "cham-diem/<slug:org_code>/minh-chung/<int:score_pk>/them/", views.evidence_add, name="evidence_add"
    ),
    path("cham-diem/<slug:org_code>/minh-chung/<int:pk>/xoa/", views.evidence_remove, name="evidence_remove"),
    path("cham-diem/<slug:org_code>/minh-chung/<int:pk>/", views.evidence_download, name="evidence"),
    path("cham-cheo/<slug:org_code>/", views.review, name="review"),
    path("phan-cong-cham-cheo/", views.assign, name="assign"),
    path("chot-diem/", views.settle_all, name="settle_all"),
    path("chot-diem/<int:pk>/", views.settle_score, name="settle_score"),
]
