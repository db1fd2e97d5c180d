"""A parent body's Word templates; included under `cap-tren/<slug:parent_code>/mau-van-ban/`, beside the
parent body's other pages (its groups, regulations and Excel import)."""

from django.urls import path

from thidua.documents import template_views

app_name = "document_templates"
urlpatterns = [
    path("", template_views.template_list, name="list"),
    path("<slug:kind>/mac-dinh.docx", template_views.template_default, name="default"),
    path("<slug:kind>/ban-<int:version>.docx", template_views.template_version, name="version"),
    path("<slug:kind>/tai-len/", template_views.template_upload, name="upload"),
]
