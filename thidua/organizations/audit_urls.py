from django.urls import path

from thidua.organizations import audit_views as views

app_name = "audit"
urlpatterns = [
    path("cum-khoi/<slug:slug>/", views.group_audit, name="group_audit"),
]
