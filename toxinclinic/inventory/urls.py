from django.urls import path

from toxinclinic.inventory import views

URL_PREFIX = "inventory/"
app_name = "inventory"
urlpatterns = [
    path("", views.stock, name="stock"),
    path("receive/", views.receive, name="receive"),
    path("reconcile/", views.reconcile, name="reconcile"),
    path("recall/", views.recall_search, name="recall_search"),
    path("lots/<str:lot_id>/recipients/", views.recipients, name="recipients"),
]
