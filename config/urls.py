from django.contrib import admin
from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from thidua.api.api import api
from thidua.home import views as home_views
from thidua.news.sitemaps import sitemap
from thidua.web.favicon import favicon
from thidua.years import views as year_views

# The pages of a group's year, under one prefix matched once. Django tries patterns in order, one regex
# each, so the most visited come first: the summary (every member looks up its rank there, again and
# again near the conference), then the year's dashboard, the first of the agreement's.
year_urls = [
    path("", include("thidua.assessments.summary_urls")),
    path("", include("thidua.home.year_urls")),
    path("", include("thidua.assessments.urls")),
    path("", include("thidua.assessments.excel_urls")),
    path("", include("thidua.conferences.urls")),
    path("", include("thidua.documents.urls")),
    path("", include("thidua.awards.urls")),
]

urlpatterns = [
    path("", home_views.home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("tai-khoan/ma-truy-cap-api/", include("thidua.api.token_urls")),
    path("tai-khoan/", include("thidua.accounts.urls")),
    path("api/", api.urls),
    path("nhat-ky/", include("thidua.organizations.audit_urls")),
    path("cap-tren/<slug:parent_code>/nhap-excel/", include("thidua.organizations.import_urls")),
    path("cap-tren/<slug:parent_code>/mau-van-ban/", include("thidua.documents.template_urls")),
    path("nam-thi-dua/<slug:slug>/<int:year>/", include(year_urls)),
    path("cap-tren/<slug:parent_code>/", include("thidua.awards.parent_urls")),
    path("bo-phieu/", include("thidua.conferences.vote_urls")),
    path("cum-khoi/<slug:slug>/mo-nam-thi-dua/", year_views.open_year, name="open_year"),
    path("", include("thidua.organizations.urls")),
    path("quan-tri/", admin.site.urls),
    path("nam-thi-dua/<slug:slug>/<int:year>/", include("thidua.news.urls")),
    # The news sites (Wagtail): the editors' admin, files attached to articles, the sitemap of the site
    # asked for, and last, as a catch-all, the pages themselves (docs/decisions.md, "News sites").
    path("quan-tri-tin/", include(wagtailadmin_urls)),
    path("tai-lieu-tin/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("", include("thidua.news.public_urls")),
]

handler400 = "thidua.web.errors.bad_request"
handler403 = "thidua.web.errors.permission_denied"
handler404 = "thidua.web.errors.page_not_found"
handler500 = "thidua.web.errors.server_error"
