from django.urls import path

from backend.accounts import apis, web

app_name = "accounts"

api_urlpatterns = [
    path("auth/otp/", apis.OtpRequestApi.as_view(), name="auth-otp"),
    path("auth/token/", apis.OtpTokenApi.as_view(), name="auth-token"),
    path("auth/token/refresh/", apis.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/staff/token/", apis.StaffTokenApi.as_view(), name="auth-staff-token"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="auth-logout"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("me/export/", apis.MeExportApi.as_view(), name="me-export"),
]

urlpatterns = [
    path("connexion/", web.login_view, name="login"),
    path("deconnexion/", web.logout_view, name="logout"),
]
