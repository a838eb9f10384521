from django.urls import path

from toxinclinic.accounts import token_views

URL_PREFIX = "accounts/"
app_name = "accounts"
urlpatterns = [
    path("api-tokens/", token_views.api_tokens, name="api_tokens"),
    path("api-tokens/revoke/", token_views.revoke_api_token, name="revoke_api_token"),
]
