from django.urls import path

from toxinclinic.coordinator import views

URL_PREFIX = "coordinator/"
app_name = "coordinator"
urlpatterns = [
    path("worklist/", views.worklist_screen, name="worklist"),
    path("worklist.csv", views.worklist_csv, name="worklist_csv"),
    path("patients/<uuid:patient_id>/outreach/", views.outreach, name="outreach"),
    path("patients/<uuid:patient_id>/assign-to-me/", views.assign_to_me, name="assign_to_me"),
]
