from django.urls import path

from toxinclinic.diary import views

URL_PREFIX = "diary/"
app_name = "diary"
urlpatterns = [
    path("", views.today, name="today"),
    path("day/<str:date>/", views.day, name="day"),
    path("calendar/", views.month_calendar, name="calendar"),
    path("trends/", views.trends, name="trends"),
    path("chart/<str:patient_id>/trend.svg", views.trend_svg, name="trend_svg"),
    path("patients/<str:patient_id>/", views.patient_diary, name="patient"),
]
