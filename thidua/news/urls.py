from django.urls import path

from thidua.news import views

app_name = "news"
urlpatterns = [
    path("hoi-nghi/<int:pk>/soan-tin/", views.draft_from_conference, name="draft_from_conference"),
]
