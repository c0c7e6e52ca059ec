from django.urls import path

from . import views

urlpatterns = [
    path("s/<slug:key>/", views.survey_answer, name="survey-answer"),
    path("s/<slug:key>/results/", views.survey_results, name="survey-results"),
    path("s/<slug:key>/results/responses.csv", views.survey_export, {"fmt": "csv"}, name="survey-export-csv"),
    path("s/<slug:key>/results/responses.xlsx", views.survey_export, {"fmt": "xlsx"}, name="survey-export-xlsx"),
    path("s/<slug:key>/qr.png", views.survey_qr, name="survey-qr"),
    path("s/<slug:key>/poster/", views.survey_poster, name="survey-poster"),
]
