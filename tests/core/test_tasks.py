"""The django-tasks API runs on Huey (immediate mode in tests)."""

import pytest

from strategy.models import KPI, Measurement
from strategy.tasks import refresh_kpi_providers


@pytest.mark.django_db
def test_enqueue_runs_the_provider_refresh_and_audits(strategy_data: None) -> None:
    from core.models import AuditEntry

    kpi = KPI.objects.create(code="T.K1", name_en="Projects started", unit="%",
                             provider="strategy.projects_started_percent")
    result = refresh_kpi_providers.enqueue()
    assert result.status == "SUCCESSFUL"
    measurement = Measurement.objects.get(kpi=kpi)
    assert 0 <= measurement.value <= 100
    assert AuditEntry.objects.filter(action="strategy.measurement.created",
                                     actor_label="provider:strategy.projects_started_percent").exists()
