"""Upload the hashed residents register (made by hash_residents_register) in place of the current one.

    python manage.py load_residents_register hashed.csv --by admin@primariatm.ro

`--by` names the administrator responsible (audited as the uploader; needs the administrator role).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.verification import upload_register


class Command(BaseCommand):
    help = "Replace the residents register with a hashed file (digest,neighbourhood lines)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--by", required=True, help="the e-mail address of the administrator responsible")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(email__iexact=options["by"]).first()
        if actor is None:
            raise CommandError(f"no account has the e-mail address {options['by']}")
        try:
            register = upload_register(actor, options["path"].read_bytes(), file_name=options["path"].name)
        except PermissionDenied:
            raise CommandError(f"{options['by']} is not an administrator") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{register.rows} residents in the register")
