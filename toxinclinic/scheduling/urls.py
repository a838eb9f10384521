from django.urls import path

from toxinclinic.scheduling import views, views_availability, views_more

URL_PREFIX = "scheduling/"
app_name = "scheduling"
urlpatterns = [
    path("recalls/", views.recalls, name="recalls"),
    path("schedule/", views.schedule, name="schedule"),
    # The worklist links here: the patient's next free slots; POST books one (two clicks in all).
    path("patients/<uuid:patient_id>/slots/", views.slots, name="slots"),
    path("appointments/<uuid:public_id>/", views.appointment, name="appointment"),
    path("availability/", views_availability.availability, name="availability"),
    path("feeds/", views_more.feeds, name="feeds"),
    path("feeds/<str:token>.ics", views_more.feed, name="feed"),
    path("my/appointments/<uuid:public_id>/", views_more.my_appointment, name="my_appointment"),
    path("my/appointments/<uuid:public_id>.ics", views_more.my_appointment_ics, name="my_appointment_ics"),
]
