from django.contrib.auth import views as auth_views
from django.urls import path

from thidua.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("vai-tro/<int:pk>/thu-hoi/", views.role_revoke, name="role_revoke"),
    path("xac-thuc-hai-buoc/", views.two_factor, name="two_factor"),
    path("xac-thuc-hai-buoc/cai-dat/", views.two_factor_enrol, name="two_factor_enrol"),
    path("xac-thuc-hai-buoc/ma-du-phong/", views.recovery_codes_regenerate, name="recovery_codes_regenerate"),
    path("xac-thuc-hai-buoc/tat/", views.two_factor_turn_off, name="two_factor_turn_off"),
    path("<int:pk>/dat-lai-xac-thuc-hai-buoc/", views.two_factor_reset, name="two_factor_reset"),
]
