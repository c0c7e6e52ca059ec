from django.urls import path

from . import views

urlpatterns = [
    path("e/<slug:key>/", views.election_page, name="election"),
    path("e/<slug:key>/vote/", views.vote, name="election-vote"),
    path("e/<slug:key>/check/", views.check, name="election-check"),
    path("e/<slug:key>/roll/", views.roll, name="election-roll"),
    path("e/<slug:key>/qr.png", views.qr_png, name="election-qr"),
    path("e/<slug:key>/results.<str:fmt>", views.results_export, name="election-results-export"),
    path("e/<slug:key>/codes/<int:batch_id>/<str:fmt>/", views.codes_download, name="election-codes"),
]
