from django.urls import path

from . import views

urlpatterns = [
    path("hall/", views.hall_index, name="hall"),
    path("hall/<slug:code>/", views.hall_service, name="hall-service"),
]
