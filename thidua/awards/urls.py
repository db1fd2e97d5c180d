"""A year's dossier, under /nam-thi-dua/<group slug>/<year>/."""

from django.urls import path

from thidua.awards import views

app_name = "awards"
urlpatterns = [
    path("ho-so-khen-thuong/", views.dossier_detail, name="dossier"),
    path("ho-so-khen-thuong/lap/", views.dossier_create, name="create"),
    path("ho-so-khen-thuong/van-ban/", views.dossier_documents, name="documents"),
    path("ho-so-khen-thuong/de-nghi/", views.proposal_add, name="proposal_add"),
    path("ho-so-khen-thuong/de-nghi/<int:pk>/bo/", views.proposal_remove, name="proposal_remove"),
    path("ho-so-khen-thuong/bao-cao-thanh-tich/", views.report_upload, name="report_upload"),
    path("ho-so-khen-thuong/bao-cao-thanh-tich/<int:pk>/", views.report_file, name="report"),
    path("ho-so-khen-thuong/gui/", views.dossier_submit, name="submit"),
    path("ho-so-khen-thuong/tra-lai/", views.dossier_return, name="return"),
    path("ho-so-khen-thuong/hoi-dong-bo-phieu/", views.council_vote, name="council_vote"),
    path("ho-so-khen-thuong/quyet-dinh/", views.decision, name="decision"),
]
