"""The ranking summary of a group's year, under /nam-thi-dua/<group slug>/<year>/."""

from django.urls import path

from thidua.assessments import summary_views

app_name = "score_summary"
urlpatterns = [
    path("tong-hop/", summary_views.summary, name="summary"),
]
