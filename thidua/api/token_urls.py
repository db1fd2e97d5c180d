from django.urls import path

from thidua.api import token_views

app_name = "api_tokens"
urlpatterns = [
    path("", token_views.tokens, name="list"),
    path("<int:pk>/thu-hoi/", token_views.revoke, name="revoke"),
]
