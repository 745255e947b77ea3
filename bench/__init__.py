"""Benchmarks, each a script run from the repository root (a package only so that mypy names them bench.*,
apart from the rooms they measure)."""
