from django.urls import path

from . import views

urlpatterns = [
    path("guide/", views.guide_index, name="guide"),
    path("guide/<slug:code>/", views.guide_department, name="guide-department"),
]
