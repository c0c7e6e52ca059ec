from django.urls import path

from . import views

urlpatterns = [
    path("ask/", views.ask, name="ask"),
    path("ask/<int:pk>/vote/", views.vote, name="ask-vote"),
]
