"""Routes of this app: `api_urlpatterns` are mounted under /api/v1/, `urlpatterns` at the site root."""

from django.urls import URLPattern, URLResolver, include, path

from commerces import apis, web, webhooks

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("shopkeepers/me/", apis.ShopkeeperMeApi.as_view(), name="shopkeeper-me"),
    path("shops/", apis.ShopListApi.as_view(), name="shops"),
    path("shops/import/", apis.ShopImportApi.as_view(), name="shops-import"),
    path("shops/<int:shop_id>/shopkeepers/", apis.ShopkeeperEnrolApi.as_view(), name="shop-shopkeepers"),
    path("shop-applications/", apis.ApplicationListApi.as_view(), name="shop-applications"),
    path("shop-applications/<int:application_id>/approve/", apis.ApplicationApproveApi.as_view()),
    path("shop-applications/<int:application_id>/reject/", apis.ApplicationRejectApi.as_view()),
    path("sms/quarantine/", apis.QuarantineListApi.as_view(), name="sms-quarantine"),
    path("sms/quarantine/<int:message_id>/attach/", apis.QuarantineAttachApi.as_view()),
    path("sms/quarantine/<int:message_id>/discard/", apis.QuarantineDiscardApi.as_view()),
]

web_patterns = [
    path("", web.home, name="home"),
    path("connexion/", web.login_phone, name="login"),
    path("connexion/code/", web.login_code, name="login-code"),
    path("deconnexion/", web.logout_view, name="logout"),
    path("signaler/", web.report, name="report"),
    path("signalements/", web.reports, name="reports"),
    path("mon-commerce/", web.my_shop, name="my-shop"),
    path("inscription/", web.apply_phone, name="apply"),
    path("inscription/code/", web.apply_code, name="apply-code"),
    path("inscription/commerce/", web.apply_shop, name="apply-shop"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("commerces/", include((web_patterns, "commerces"))),
    # The SMS provider's webhooks (signed; no CSRF token): backend/messaging/backends/inbound.py.
    path("sms/<slug:provider>/inbound/", webhooks.sms_inbound, name="sms-inbound"),
    path("sms/<slug:provider>/status/", webhooks.sms_status, name="sms-status"),
]
