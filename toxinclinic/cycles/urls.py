from django.urls import path

from toxinclinic.cycles import views

URL_PREFIX = "cycles/"
app_name = "cycles"
urlpatterns = [
    path("mine/", views.my_cycles, name="mine"),
    path("mine/chart.png", views.my_cycles_chart, name="mine_chart"),
    path("outcomes/", views.clinic_report, name="report"),
    path("outcomes/export.csv", views.clinic_report_csv, name="report_csv"),
    path("outcomes/<slug:measure>.png", views.clinic_report_chart, name="report_chart"),
    path("patients/<str:patient_id>/", views.patient_cycles, name="patient"),
    path("patients/<str:patient_id>/chart.png", views.patient_cycles_chart, name="patient_chart"),
]
