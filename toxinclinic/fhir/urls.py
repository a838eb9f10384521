from django.urls import path, re_path

from toxinclinic.fhir import export_views, views

# Mounted at the site root: the SMART configuration lives both at the root and under the FHIR base.
URL_PREFIX = ""
app_name = "fhir"
_TYPE = r"(?P<type_name>[A-Z][A-Za-z]+)"
_ID = r"(?P<rid>[A-Za-z0-9\-\.]{1,64})"

urlpatterns = [
    path(".well-known/smart-configuration", views.smart_config, name="smart_configuration"),
    path("fhir/R4/.well-known/smart-configuration", views.smart_config),
    path("fhir/R4/metadata", views.metadata, name="metadata"),
    path("fhir/R4/", views.transaction, name="transaction"),
    path("fhir/R4/auth/token", views.token, name="token"),
    path("fhir/R4/$export", export_views.system_export, name="export"),
    path("fhir/R4/Patient/$export", export_views.patient_export),
    path("fhir/R4/Group/<str:group>/$export", export_views.group_export),
    path("fhir/R4/$export-status/<str:job_id>", export_views.status, name="export_status"),
    path("fhir/R4/$export-file/<str:job_id>/<str:name>", export_views.download),
    re_path(rf"^fhir/R4/{_TYPE}$", views.search_type, name="search"),
    re_path(rf"^fhir/R4/{_TYPE}/{_ID}$", views.read, name="read"),
    # [\s\S]: an id with a newline in it is still a FHIR path, answered with an OperationOutcome.
    re_path(r"^fhir/R4/(?P<rest>[\s\S]*)$", views.not_found),
]
