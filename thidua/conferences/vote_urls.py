from django.urls import path

from thidua.conferences import vote_views

app_name = "vote"
urlpatterns = [path("<int:pk>/", vote_views.start, name="start")]
