from django.urls import path

from . import screen_views, stats_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("b/<slug:slug>/submit/", views.demand_submit, name="demand-submit"),
    path("t/<str:token>/", views.demand_track, name="track"),
    path("screen/area/<slug:slug>/", screen_views.area_screen_page, name="area-screen"),
    path("screen/<slug:slug>/", screen_views.screen_page, name="screen"),
    path("stats/", stats_views.stats_page, name="stats"),
    path("stats/report/", stats_views.monthly_report, name="stats-report"),
    path("stats/export.<str:fmt>", stats_views.stats_export, name="stats-export"),
]
