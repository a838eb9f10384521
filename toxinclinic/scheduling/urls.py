from django.urls import path

from toxinclinic.scheduling import views

URL_PREFIX = "scheduling/"
app_name = "scheduling"
urlpatterns = [path("recalls/", views.recalls, name="recalls")]
