"""Permissions of accounts' verification (django-rules)."""

import rules

from accounts.roles import is_administrator, is_department_staff

# Checking an identity document at a city office: the staff who confirmed residences in budgeting before.
rules.add_perm("accounts.verify_in_person", is_administrator | is_department_staff)
rules.add_perm("accounts.upload_register", is_administrator)
