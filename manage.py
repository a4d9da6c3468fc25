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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
