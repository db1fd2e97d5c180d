from django.urls import path

from thidua.organizations import account_views, officeholder_views, views

app_name = "organizations"
urlpatterns = [
    path("tai-khoan/don-vi/<slug:code>/", account_views.organization_accounts, name="organization_accounts"),
    path("cum-khoi/", views.group_list, name="group_list"),
    path("cum-khoi/<slug:slug>/", views.group_detail, name="group_detail"),
    path("cum-khoi/<slug:slug>/sua/", views.group_edit, name="group_edit"),
    path("cum-khoi/<slug:slug>/nam/<int:year>/", views.group_year, name="group_year"),
    path("thanh-vien/<int:pk>/bo/", views.membership_remove, name="membership_remove"),
    path("lanh-dao-cum/<int:pk>/bo/", views.leadership_clear, name="leadership_clear"),
    path("don-vi/", views.organization_list, name="organization_list"),
    path("don-vi/<slug:code>/", views.organization_detail, name="organization_detail"),
    path("don-vi/<slug:code>/thong-tin/", views.organization_profile, name="organization_profile"),
    path("don-vi/<slug:code>/doi-ten/", views.organization_rename, name="organization_rename"),
    path("don-vi/<slug:code>/sap-nhap/", views.organization_merge, name="organization_merge"),
    path("don-vi/<slug:code>/ty-le-nu/", views.organization_women_share, name="organization_women_share"),
    path("don-vi/<slug:code>/lanh-dao/", officeholder_views.officeholder_list, name="officeholder_list"),
    path(
        "don-vi/<slug:code>/lanh-dao/mau.xlsx",
        officeholder_views.officeholder_template,
        name="officeholder_template",
    ),
    path(
        "don-vi/<slug:code>/lanh-dao/<int:pk>/sua/",
        officeholder_views.officeholder_edit,
        name="officeholder_edit",
    ),
    path(
        "don-vi/<slug:code>/lanh-dao/<int:pk>/bo/",
        officeholder_views.officeholder_remove,
        name="officeholder_remove",
    ),
    path("cap-tren/<slug:parent_code>/them-cum-khoi/", views.group_create, name="group_create"),
    path("cap-tren/<slug:parent_code>/them-don-vi/", views.organization_create, name="organization_create"),
    path("cap-tren/<slug:parent_code>/quy-che/moi/", views.regulation_new, name="regulation_new"),
    path("cap-tren/<slug:parent_code>/quy-che/<int:year>/", views.regulation_edit, name="regulation_edit"),
    path("quy-che/<int:pk>/", views.regulation_detail, name="regulation_detail"),
]
