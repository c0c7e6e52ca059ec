from django.urls import path

from . import views

urlpatterns = [
    path("cases/", views.cases, name="cases"),
    path("cases/suggest/", views.suggest, name="cases-suggest"),
]
