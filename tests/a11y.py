"""Accessibility check with axe-core (WCAG 2.1 A/AA rules) in headless Chromium."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def axe_violations(page: Any, url: str) -> list[dict[str, Any]]:
    """Open the URL and return axe-core's WCAG 2.1 AA violations (empty list when it passes)."""
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status < 400, f"{url} answered {response and response.status}"
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return list(results.response["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [node["target"] for node in violation["nodes"][:3]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


def assert_accessible(page: Any, url: str) -> None:
    violations = axe_violations(page, url)
    assert not violations, f"axe-core found WCAG 2.1 AA violations on {url}:\n{describe(violations)}"
