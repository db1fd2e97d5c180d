"""Pages of one group's year, under /nam-thi-dua/<group slug>/<year>/: the year itself and its agreement.
The other apps' year pages (scoring, conference, documents, dossier) keep their own namespaces."""

from django.urls import path

from thidua.agreements import views
from thidua.home import year_views

app_name = "years"
urlpatterns = [
    path("", year_views.dashboard, name="dashboard"),
    path("moc-thoi-gian/", year_views.deadlines, name="deadlines"),
    path("chuyen-giai-doan/", year_views.advance, name="advance"),
    path("giao-uoc/", views.agreement_detail, name="agreement"),
    path("giao-uoc/lan-<int:version>/", views.agreement_detail, name="agreement_version"),
    path("giao-uoc/tao/", views.agreement_create, name="agreement_create"),
    path("giao-uoc/noi-dung/", views.agreement_text, name="agreement_text"),
    path("giao-uoc/nhom/moi/", views.criterion_group_edit, name="criterion_group_new"),
    path("giao-uoc/nhom/<int:pk>/", views.criterion_group_edit, name="criterion_group_edit"),
    path("giao-uoc/tieu-chi/moi/", views.criterion_edit, name="criterion_new"),
    path("giao-uoc/tieu-chi/<int:pk>/", views.criterion_edit, name="criterion_edit"),
    path("giao-uoc/tieu-chi/<int:pk>/xoa/", views.criterion_delete, name="criterion_delete"),
    path("giao-uoc/mo-ky/", views.open_signing, name="open_signing"),
    path("giao-uoc/ky/", views.sign, name="sign"),
    path("giao-uoc/ky-giay/", views.sign_paper, name="sign_paper"),
    path("giao-uoc/sua-doi/", views.amend, name="amend"),
]
