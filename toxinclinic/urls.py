from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from toxinclinic.accounts import views as account_views
from toxinclinic.api.main import api
from toxinclinic.audit import views as audit_views
from toxinclinic.core import views as core_views
from toxinclinic.core.plugins import app_modules
from toxinclinic.home import views as home_views

# A database that is away (restarting) is a 503 with the app's page, not a 500 (core/views.py).
handler500 = "toxinclinic.core.views.server_error"

urlpatterns = [
    path("", home_views.landing, name="landing"),
    path("home/", home_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", account_views.auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/invite/<str:token>/", account_views.accept_invite, name="accept_invite"),
    path("accounts/two-factor/", account_views.two_factor, name="two_factor"),
    path("users/", account_views.users, name="users"),
    path("audit/", audit_views.audit_search, name="audit"),
    path("me/access-log/", audit_views.my_access_log, name="my_access_log"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
urlpatterns += [path(m.URL_PREFIX, include(m)) for m in app_modules("urls")]

if settings.DEV:
    # Public uploads (treatment-page headshots and audio) keep their /media/ links (the admin's) in
    # development, but only through the public pages' own file view, which serves a file only if its name
    # is a public one and its resolved path lies inside MEDIA_ROOT/education. MEDIA_ROOT also holds
    # signed-note PDFs, which are patient data and are served only by the visit views (signed in, same
    # clinic, audited); a prefix match before resolving once let /media/education/../notes/ through.
    # A proxy in production must not publish MEDIA_ROOT either.
    from toxinclinic.education.views import media_file

    urlpatterns.append(path("media/<path:name>", media_file))
