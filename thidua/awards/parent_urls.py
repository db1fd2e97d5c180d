"""The parent body's pages, under /cap-tren/<parent code>/: dossiers received, awards of a year, and the
overview of a year for its staff (issue 16)."""

from django.urls import path

from thidua.awards import parent_views, views

app_name = "parent_awards"
urlpatterns = [
    path("ho-so-khen-thuong/", views.incoming, name="incoming"),
    path("khen-thuong/<int:year>/", views.year_awards, name="year"),
    path("khen-thuong/<int:year>/danh-sach.xlsx", views.year_awards_xlsx, name="year_xlsx"),
    path("tong-quan/<int:year>/", parent_views.overview, name="overview"),
    path("tong-quan/<int:year>/ho-so/", parent_views.overview_dossiers, name="overview_dossiers"),
    path(
        "tong-quan/<int:year>/hoi-dong/",
        parent_views.overview_tab,
        {"tab": "council"},
        name="overview_council",
    ),
    path(
        "tong-quan/<int:year>/quyet-dinh/",
        parent_views.overview_tab,
        {"tab": "decisions"},
        name="overview_decisions",
    ),
    path("tong-quan/<int:year>/thong-ke/", parent_views.statistics, name="statistics"),
    path("tong-quan/<int:year>/thong-ke.xlsx", parent_views.statistics_xlsx, name="statistics_xlsx"),
    path("lich-su-khen-thuong/", parent_views.award_history, name="history"),
]
