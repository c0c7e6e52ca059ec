from django.urls import path

from . import views
from .screen import views as screen_views
from .stats import views as stats_views

urlpatterns = [
    path("", views.home, name="home"),
    path("b/<slug:slug>/", views.board, name="board"),
    path("b/<slug:slug>/submit/", views.demand_submit, name="demand-submit"),
    path("b/<slug:slug>/similar/", views.similar_demands, name="similar-demands"),
    path("b/<slug:slug>/poster/", views.poster, name="poster"),
    path("b/<slug:slug>/poster/qr.png", views.poster_qr, name="poster-qr"),
    path("b/<slug:slug>/d/<int:pk>/", views.demand_public, name="demand-public"),
    path("b/<slug:slug>/d/<int:pk>/support/", views.demand_support, name="demand-support"),
    path("b/<slug:slug>/d/<int:pk>/photos/<int:photo_id>/", views.photo_public, name="photo-public"),
    path("t/<str:token>/", views.demand_track, name="track"),
    path("t/<str:token>/link.txt", views.demand_track_link, name="track-link"),
    path("t/<str:token>/not-solved/", views.demand_not_solved, name="track-not-solved"),
    path("t/<str:token>/follow/", views.demand_follow, name="track-follow"),
    path("t/<str:token>/erase-contact/", views.demand_erase_contact, name="track-erase-contact"),
    path("t/<str:token>/photos/<int:photo_id>/", views.photo_by_token, name="photo-by-token"),
    path("screen/area/<slug:slug>/", screen_views.area_screen_page, name="area-screen"),
    path("screen/<slug:slug>/", screen_views.screen_page, name="screen"),
    path("stats/", stats_views.stats_page, name="stats"),
    path("stats/report/", stats_views.monthly_report, name="stats-report"),
    path("stats/export.<str:fmt>", stats_views.stats_export, name="stats-export"),
]
