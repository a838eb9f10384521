from django.urls import path

from toxinclinic.patients import views

URL_PREFIX = "patients/"
app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<str:patient_id>/", views.chart, name="chart"),
    path("<str:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<str:patient_id>/invite/", views.invite, name="invite"),
    path("<str:patient_id>/<slug:kind>/new/", views.record_create, name="record_create"),
    path("<str:patient_id>/<slug:kind>/<str:record_id>/", views.record_edit, name="record_edit"),
    path("<str:patient_id>/<slug:kind>/<str:record_id>/delete/", views.record_delete, name="record_delete"),
]
