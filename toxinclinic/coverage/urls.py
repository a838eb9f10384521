from django.urls import path

from toxinclinic.coverage import views

URL_PREFIX = "coverage/"
app_name = "coverage"
urlpatterns = [
    path("patients/<uuid:patient_id>/", views.packet_screen, name="packet"),
    path("patients/<uuid:patient_id>/packet.pdf", views.packet_pdf, name="packet_pdf"),
    path("patients/<uuid:patient_id>/packet.json", views.packet_json, name="packet_json"),
]
