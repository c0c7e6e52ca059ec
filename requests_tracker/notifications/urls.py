from django.urls import path

from . import views

urlpatterns = [
    path("t/<str:token>/notifications/", views.submitter_preferences, name="track-notifications"),
    path("notifications/", views.my_preferences, name="my-notifications"),
]
