from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("b/<slug:slug>/submit/", views.demand_submit, name="demand-submit"),
    path("t/<str:token>/", views.demand_track, name="track"),
]
