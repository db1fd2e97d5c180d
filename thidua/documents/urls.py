from django.urls import path

from thidua.documents import views

app_name = "documents"
urlpatterns = [
    path("van-ban/", views.document_list, name="list"),
    path("van-ban/lap/", views.document_issue, name="issue"),
    path("van-ban/trang-thai-pdf/", views.document_pdf_status, name="pdf_status"),
    path("van-ban/<int:pk>/ban-goc/", views.original_upload, name="original_upload"),
    path("van-ban/<int:pk>/huy/", views.document_discard, name="discard"),
    path("van-ban/<int:pk>/ban-hanh/", views.document_publish, name="publish"),
    path("van-ban/<int:pk>/thay-the/", views.document_replace, name="replace"),
    path("van-ban/<int:pk>/ban-goc/<int:version>/", views.original_file, name="original"),
    path("van-ban/<int:pk>/<str:kind>/", views.document_file, name="file"),
]
