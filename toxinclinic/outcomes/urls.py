from django.urls import path

from toxinclinic.outcomes import views

URL_PREFIX = "questionnaires/"
app_name = "outcomes"
urlpatterns = [
    path("", views.questionnaire_list, name="list"),
    path("responses/<str:response_id>/", views.response_detail, name="response"),
    path("patients/<str:patient_id>/", views.patient_history, name="patient"),
    path("<slug:instrument>/", views.answer, name="answer"),
]
