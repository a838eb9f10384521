from django.urls import path

from toxinclinic.visits import views

URL_PREFIX = "visits/"
app_name = "visits"
urlpatterns = [
    path("", views.today, name="today"),
    path("billing/", views.billing_list, name="billing"),
    path("patient/<str:patient_id>/", views.patient_visits, name="patient"),
    path("patient/<str:patient_id>/outside/new/", views.outside_new, name="outside_new"),
    path("<str:visit_id>/", views.detail, name="detail"),
    path("<str:visit_id>/screening/", views.screening, name="screening"),
    path("<str:visit_id>/consent/", views.consent, name="consent"),
    path("<str:visit_id>/chart/", views.chart, name="chart"),
    path("<str:visit_id>/check/", views.check, name="check"),
    path("<str:visit_id>/vials/", views.vials, name="vials"),
    path("<str:visit_id>/vials/<str:use_id>/remove/", views.vial_remove, name="vial_remove"),
    path("<str:visit_id>/sign/", views.sign, name="sign"),
    path("<str:visit_id>/amend/", views.amend, name="amend"),
    path("<str:visit_id>/notes/<int:version>/", views.note_version, name="note"),
    path("<str:visit_id>/notes/<int:version>/pdf/", views.note_pdf, name="note_pdf"),
]
