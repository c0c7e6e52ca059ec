from django.urls import path

from . import views

urlpatterns = [
    path("b/<slug:slug>/resources/", views.building_resources, name="building-resources"),
    path("area/<slug:slug>/resources/", views.subdistrict_resources, name="subdistrict-resources"),
]
