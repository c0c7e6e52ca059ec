from django.urls import path

from . import views

urlpatterns = [
    path("b/<slug:slug>/lists/", views.building_lists, name="building-lists"),
    path("b/<slug:slug>/projects/", views.building_projects, name="building-projects"),
    path("p/<int:pk>/", views.project_page, name="project"),
    path("p/<int:pk>/update/", views.project_update, name="project-update"),
    path("p/<int:pk>/complete/", views.project_complete, name="project-complete"),
    path("p/<int:pk>/status/", views.project_status, name="project-status"),
]
