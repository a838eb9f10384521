"""Public pages under /treatments/, the sitemap at /sitemap.xml, the editor under /treatments/manage/.

Mounted at the site root (``URL_PREFIX = ""``) because the sitemap belongs at /sitemap.xml.
"""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from toxinclinic.education import editor, views
from toxinclinic.education.sitemaps import SITEMAPS

URL_PREFIX = ""
app_name = "education"
urlpatterns = [
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("treatments/", views.index, name="index"),
    path("treatments/manage/", editor.manage, name="manage"),
    path("treatments/manage/providers/new/", editor.provider_create, name="provider_create"),
    path("treatments/manage/providers/<str:provider_id>/", editor.provider_edit, name="provider_edit"),
    path("treatments/manage/pages/new/", editor.page_create, name="page_create"),
    path("treatments/manage/pages/import/", editor.page_import, name="page_import"),
    path("treatments/manage/pages/<str:page_id>/", editor.page_edit, name="page_edit"),
    path("treatments/manage/pages/<str:page_id>/preview/", editor.page_preview, name="page_preview"),
    path("treatments/manage/pages/<str:page_id>/publish/", editor.page_publish, name="page_publish"),
    path("treatments/manage/pages/<str:page_id>/versions/", editor.page_versions, name="page_versions"),
    path("treatments/manage/pages/<str:page_id>/recording/", editor.page_recording, name="page_recording"),
    path("treatments/manage/pages/<str:page_id>/readability/", editor.readability_check, name="readability"),
    path("treatments/files/<path:name>", views.media_file, name="file"),
    path("treatments/<slug:slug>/", views.page, name="page"),
    path("treatments/<slug:slug>/transcript/", views.transcript, name="transcript"),
]
