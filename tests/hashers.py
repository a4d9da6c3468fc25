"""The tests' password hasher (tests/settings.py's PASSWORD_HASHERS)."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's hasher with few rounds: ~0.25 s less per staff account made or signed in. The hashes it
    makes carry their round count, so the daphne processes that tests start (Django's own hashers)
    verify them all the same."""

    iterations = 1000
