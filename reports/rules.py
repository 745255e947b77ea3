"""Who may do what in the reports room (django-rules; autodiscovered).

Citizens need no permission to report, follow, support or flag. Department staff handle the
reports of their own departments; moderators approve text and photos; administrators do all.
"""

from typing import Any

import rules

from accounts.roles import is_administrator, is_department_staff, is_moderator


@rules.predicate
def is_member_of_report_department(user: Any, report: Any) -> bool:
    if report is None:
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    cache = getattr(user, "_report_department_ids", None)
    if cache is None:
        cache = frozenset(user.report_departments.values_list("id", flat=True))
        user._report_department_ids = cache
    return report.department_id in cache


@rules.predicate
def is_in_own_department(user: Any, obj: Any) -> bool:
    """A back-office row (a report, or a flag or photo of one) of the user's departments; True for a
    list page (no object), whose rows ReportAdmin.get_queryset narrows the same way."""
    if obj is None:
        return True
    report = obj if hasattr(obj, "department_id") else getattr(obj, "report", None)
    return is_member_of_report_department(user, report)


can_work_inbox = is_administrator | is_department_staff | is_moderator
can_handle_report = is_administrator | (is_department_staff & is_member_of_report_department)
can_moderate = is_administrator | is_moderator

rules.add_perm("reports.view_inbox", can_work_inbox)
rules.add_perm("reports.handle_report", can_handle_report)
rules.add_perm("reports.moderate", can_moderate)
rules.add_perm("reports.view_contact", can_handle_report | can_moderate)
rules.add_perm("reports.view_dashboard_internal", can_work_inbox)
rules.add_perm("reports.export_reports", can_work_inbox)

# Back office (Django admin): reference data for administrators; reports visible to the inbox roles.
for model in ("department", "category", "question", "choice", "open311key"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"reports.{action}_{model}", is_administrator)
rules.add_perm("reports.view_responsetemplate", can_work_inbox)
rules.add_perm("reports.add_responsetemplate", is_administrator | is_department_staff)
rules.add_perm("reports.change_responsetemplate", is_administrator | is_department_staff)
rules.add_perm("reports.delete_responsetemplate", is_administrator)
# Rows: department staff see their departments' reports (and their flags, photos, ...), moderators and
# administrators all. Fields: no contact details anywhere in the back office (reports/admin.py); the
# department handling a report reads them on its inbox page (reports.view_contact), and that is audited.
can_view_report_row = is_administrator | is_moderator | (is_department_staff & is_in_own_department)
for model in ("report", "photo", "update", "internalnote", "subscription", "flag"):
    rules.add_perm(f"reports.view_{model}", can_view_report_row)
rules.add_perm("reports.change_report", is_administrator)
