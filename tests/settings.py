"""The tests' settings: Vigie's own, in development mode (DEBUG=1: development keys, local hosts).

pytest-django imports the settings before any conftest.py runs, hence this module (pyproject.toml's
DJANGO_SETTINGS_MODULE) rather than a fixture. The processes that tests start (daphne, workers,
manage.py) run backend.settings and inherit DEBUG=1 from this environment unless they pass their own.
"""

import os

os.environ.setdefault("DEBUG", "1")

from backend.settings import *  # noqa: F403

PASSWORD_HASHERS = ["tests.hashers.FastPBKDF2PasswordHasher"]
