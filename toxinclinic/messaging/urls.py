from django.urls import path

from toxinclinic.messaging import views

URL_PREFIX = "messaging/"
app_name = "messaging"
urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("contact/", views.contact_preferences, name="contact_preferences"),
    path("outbox/<str:message_id>/", views.message_detail, name="message"),
    path("outbox/<str:message_id>/retry/", views.retry, name="retry"),
]
