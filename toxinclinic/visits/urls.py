from django.urls import path

from toxinclinic.visits import views, views_chart, views_prepare, views_sign

URL_PREFIX = "visits/"
app_name = "visits"
urlpatterns = [
    path("", views.today, name="today"),
    path("billing/", views.billing_list, name="billing"),
    path("patient/<str:patient_id>/", views.patient_visits, name="patient"),
    path("patient/<str:patient_id>/outside/new/", views.outside_new, name="outside_new"),
    path("<str:visit_id>/", views.detail, name="detail"),
    path("<str:visit_id>/screening/", views_prepare.screening, name="screening"),
    path("<str:visit_id>/consent/", views_prepare.consent, name="consent"),
    path("<str:visit_id>/chart/", views_chart.chart, name="chart"),
    path("<str:visit_id>/check/", views_chart.check, name="check"),
    path("<str:visit_id>/vials/", views_prepare.vials, name="vials"),
    path("<str:visit_id>/vials/<str:use_id>/remove/", views_prepare.vial_remove, name="vial_remove"),
    path("<str:visit_id>/sign/", views_sign.sign, name="sign"),
    path("<str:visit_id>/amend/", views_sign.amend, name="amend"),
    path("<str:visit_id>/notes/<int:version>/", views.note_version, name="note"),
    path("<str:visit_id>/notes/<int:version>/pdf/", views.note_pdf, name="note_pdf"),
]
