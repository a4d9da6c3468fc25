from django.urls import path

from alerts.privacy import apis, web

api_urlpatterns = [
    path("privacy/", apis.PrivacyNoticeApi.as_view(), name="privacy"),
]

urlpatterns = [
    path("confidentialite/", web.notice_page, name="privacy-notice"),
    path("confidentialite/demande/", web.request_page, name="privacy-request"),
    path("confidentialite/demande/envoyee/", web.request_done_page, name="privacy-request-done"),
    path("agents/protection-des-donnees/", web.office_page_view, name="privacy-office"),
    path("agents/protection-des-donnees/registre/", web.register_download, name="privacy-register"),
]
