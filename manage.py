#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import os
import sys

# Commands that need no Django, run before it starts (its start-up would be most of their time).
PURE_COMMANDS = {"pb_outcome": "budgeting.pb.cli"}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in PURE_COMMANDS:
        from importlib import import_module

        command = import_module(PURE_COMMANDS[sys.argv[1]])
        sys.exit(command.main(sys.argv[2:], prog=f"manage.py {sys.argv[1]}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
