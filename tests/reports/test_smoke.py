from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_pages_render(client: Any, make_report: Any) -> None:
    report = make_report()
    for url in ["/en/reports/", "/ro/sesizari/", "/en/reports/new/", f"/en/reports/{report.pk}/", "/en/reports/about/",
                "/en/reports/dashboard/", "/reports/map.json", "/open311/v2/services.json",
                "/open311/v2/requests.json", "/open311/v2/requests.xml", "/en/reports/feeds/all.atom"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:2000])
