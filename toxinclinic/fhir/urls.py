from django.urls import path, re_path

from toxinclinic.fhir import views

# Mounted at the site root: the SMART configuration lives both at the root and under the FHIR base.
URL_PREFIX = ""
_TYPE = r"(?P<type_name>[A-Z][A-Za-z]+)"
_ID = r"(?P<rid>[A-Za-z0-9\-\.]{1,64})"

urlpatterns = [
    path(".well-known/smart-configuration", views.smart_config, name="smart_configuration"),
    path("fhir/R4/.well-known/smart-configuration", views.smart_config),
    path("fhir/R4/metadata", views.metadata, name="fhir_metadata"),
    path("fhir/R4/auth/token", views.token, name="fhir_token"),
    re_path(rf"^fhir/R4/{_TYPE}$", views.search_type, name="fhir_search"),
    re_path(rf"^fhir/R4/{_TYPE}/{_ID}$", views.read, name="fhir_read"),
    re_path(r"^fhir/R4/(?P<rest>.*)$", views.not_found),
]
