"""Background jobs of the reports room (django-tasks API, run by Huey). Enqueued on commit, so
they only ever see committed data; each takes ids, never personal data, as arguments."""

from __future__ import annotations

from django_tasks import task


@task()
def send_report_confirmation(report_id: int) -> bool:
    from reports.emails import send_report_confirmation as send
    from reports.models import Report

    report = Report.objects.select_related("category").filter(pk=report_id).first()
    return send(report) if report is not None else False


@task()
def send_subscription_confirmation(subscription_id: int) -> bool:
    from reports.emails import send_subscription_confirmation as send
    from reports.models import Subscription

    subscription = Subscription.objects.select_related("report", "user").filter(pk=subscription_id).first()
    return send(subscription) if subscription is not None else False


@task()
def notify_department(report_id: int) -> bool:
    from reports.emails import send_new_report_to_department
    from reports.models import Report

    report = Report.objects.select_related("department", "category", "neighbourhood").filter(pk=report_id).first()
    return send_new_report_to_department(report) if report is not None else False
