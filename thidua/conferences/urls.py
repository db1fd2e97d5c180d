"""The secretariat's conference pages, under /nam-thi-dua/<group>/<year>/hoi-nghi/."""

from django.urls import path

from thidua.conferences import attendance_views, views

app_name = "conferences"
urlpatterns = [
    path("hoi-nghi/", views.conference_list, name="list"),
    path("hoi-nghi/<int:pk>/", views.conference_detail, name="detail"),
    path("hoi-nghi/<int:pk>/sua/", views.conference_edit, name="edit"),
    path("hoi-nghi/<int:pk>/dai-bieu/them/", views.delegate_add, name="delegate_add"),
    path("hoi-nghi/<int:pk>/vai-tro/", views.conference_roles, name="roles"),
    path("hoi-nghi/<int:pk>/dai-bieu/<int:delegate_pk>/diem-danh/", views.delegate_check_in, name="check_in"),
    path("hoi-nghi/<int:pk>/diem-danh/", attendance_views.check_in_page, name="check_in_page"),
    path("hoi-nghi/<int:pk>/diem-danh/danh-sach/", attendance_views.check_in_list, name="check_in_list"),
    path("hoi-nghi/<int:pk>/diem-danh/quet-the/", attendance_views.check_in_scan, name="check_in_scan"),
    path("hoi-nghi/<int:pk>/ket-thuc/", views.conference_close, name="close"),
    path("hoi-nghi/<int:pk>/the-bieu-quyet/", views.cards, name="cards"),
    path("hoi-nghi/<int:pk>/bo-phieu/them/", views.poll_create, name="poll_create"),
    path("hoi-nghi/<int:pk>/bo-phieu/<int:poll_pk>/", views.poll_detail, name="poll"),
    path("hoi-nghi/<int:pk>/bo-phieu/<int:poll_pk>/kiem-phieu-giay/", views.paper_count, name="paper_count"),
    path(
        "hoi-nghi/<int:pk>/bo-phieu/<int:poll_pk>/danh-sach-phieu/", views.published_ballots, name="ballots"
    ),
    path(
        "hoi-nghi/<int:pk>/bo-phieu/<int:poll_pk>/ho-so-phieu.json",
        views.published_record,
        name="ballots_json",
    ),
    path("hoi-nghi/<int:pk>/bo-phieu/<int:poll_pk>/kiem-phieu/", views.poll_count, name="poll_count"),
    path(
        "hoi-nghi/<int:pk>/bo-phieu/<int:poll_pk>/phieu-giay.pdf", views.paper_ballots, name="paper_ballots"
    ),
    path("hoi-nghi/<int:pk>/bo-phieu/<int:poll_pk>/<slug:action>/", views.poll_action, name="poll_action"),
    path("hoi-nghi/<int:pk>/trinh-chieu/", views.projector, name="projector"),
    path("hoi-nghi/<int:pk>/tien-do.json", views.progress, name="progress"),
]
