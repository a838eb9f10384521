from django.urls import path

from toxinclinic.safety import views

URL_PREFIX = "safety/"
app_name = "safety"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("reports/<str:report_id>/", views.report_result, name="report_result"),
    path("check-ins/<str:check_in_id>/", views.check_in, name="check_in"),
    path("treatment/", views.aftercare_view, name="aftercare"),
    path("triage/", views.triage_queue, name="triage"),
    path("triage/<str:item_id>/", views.triage_item, name="triage_item"),
    path("triage/<str:item_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("triage/<str:item_id>/call-back/", views.call_back, name="call_back"),
    path("triage/<str:item_id>/adverse-event/", views.adverse_event, name="adverse_event"),
]
