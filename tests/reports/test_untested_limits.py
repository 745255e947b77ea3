"""Finding 8: the per-e-mail daily report limit, which production relies on, had no test."""

from __future__ import annotations

from typing import Any

from django.test import Client

from reports.models import Report
from tests.reports.conftest import CENTRU
from tests.reports.test_views import NEW, form_data


def test_one_email_address_reports_at_most_ten_a_day_from_any_address(reference: Any) -> None:
    for position in range(10):
        client = Client(REMOTE_ADDR=f"198.51.100.{position + 1}")  # a new address each time
        response = client.post(NEW, form_data(lat=str(CENTRU[0] + position * 0.001), email="Same@Example.org"))
        assert response.status_code == 302
    eleventh = Client(REMOTE_ADDR="198.51.100.99").post(
        NEW, form_data(lat=str(CENTRU[0] + 0.02), email="same@example.org"))  # case does not matter
    assert eleventh.status_code == 400 and b"Too many reports" in eleventh.content
    other = Client(REMOTE_ADDR="198.51.100.99").post(NEW, form_data(lat=str(CENTRU[0] + 0.03),
                                                                    email="someone.else@example.org"))
    assert other.status_code == 302
    assert Report.objects.count() == 11
