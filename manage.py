#!/usr/bin/env python
import os
import sys


def main() -> None:
    if sys.argv[1:] == ["generate_secret_key"]:
        # The key an unconfigured instance asks for: answered before the settings (which refuse to load
        # without one in production) are read.
        from backend.core.keys import key_generate

        print(key_generate())  # noqa: T201
        return
    if sys.argv[1:2] == ["makemigrations"] and "--check" in sys.argv:
        # Comparing the models with the committed migrations writes nothing and serves nothing: on an
        # unconfigured checkout it runs on the development settings instead of refusing for want of keys.
        os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
