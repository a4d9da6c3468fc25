"""Shared helpers for the FCM tests: a static-token credential and settings pointing at the fake."""

import json
from pathlib import Path
from typing import Any

import google.oauth2.credentials
from firebase_admin import credentials

from tests.fakes.fcm_server import ACCESS_TOKEN, service_account_info

PROJECT_ID = "vigie-test"


class StaticTokenCredential(credentials.Base):
    """A google-auth credential with a fixed, never-expiring access token: no OAuth round trip."""

    def __init__(self) -> None:
        self._g_credential = google.oauth2.credentials.Credentials(token=ACCESS_TOKEN)

    def get_credential(self) -> google.oauth2.credentials.Credentials:
        return self._g_credential


def point_settings_at(settings: Any, url: str, tmp_path: Path) -> Path:
    """PUSH_BACKEND=fcm with a service-account file whose token_uri is the fake's /token."""
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(service_account_info(url, project_id=PROJECT_ID)))
    settings.PUSH_BACKEND = "fcm"
    settings.FIREBASE_PROJECT_ID = PROJECT_ID
    settings.FCM_API_URL = url
    settings.GOOGLE_APPLICATION_CREDENTIALS = str(path)
    return path
