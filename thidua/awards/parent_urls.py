"""The parent body's awards pages, under /cap-tren/<parent code>/."""

from django.urls import path

from thidua.awards import views

app_name = "parent_awards"
urlpatterns = [
    path("ho-so-khen-thuong/", views.incoming, name="incoming"),
    path("khen-thuong/<int:year>/", views.year_awards, name="year"),
    path("khen-thuong/<int:year>/danh-sach.xlsx", views.year_awards_xlsx, name="year_xlsx"),
]
