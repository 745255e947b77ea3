"""KPI providers (filled in below)."""
