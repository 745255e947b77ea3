"""Production refuses to start without PERSON_KEY_PEPPER, as without SECRET_KEY (a missing pepper used to
turn every verification and every resident vote into a server error); a development install generates one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHOW = "from django.conf import settings; print(settings.PERSON_KEY_PEPPER)"


def _django(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("SECRET_KEY", "DEBUG", "PERSON_KEY_PEPPER", "DJANGO_SETTINGS_MODULE")}
    environment.update({"SMARTCITY_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "smartcity.settings",
                        **env})
    return subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], cwd=REPO,
                          env=environment, capture_output=True, text=True, timeout=120)


def test_production_without_a_pepper_refuses_to_start(tmp_path: Path) -> None:
    result = _django("", tmp_path, DEBUG="0", SECRET_KEY="k" * 50)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "PERSON_KEY_PEPPER is not set" in result.stderr
    assert not (tmp_path / "var" / "person_key_pepper").exists()


def test_production_uses_the_pepper_it_is_given(tmp_path: Path) -> None:
    result = _django(SHOW, tmp_path, DEBUG="0", SECRET_KEY="k" * 50, PERSON_KEY_PEPPER="the-same-everywhere")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "the-same-everywhere"


def test_a_development_install_generates_one_pepper_once_and_keeps_it(tmp_path: Path) -> None:
    first = _django(SHOW, tmp_path, DEBUG="1")
    second = _django(SHOW, tmp_path, DEBUG="1")
    assert first.returncode == 0, first.stderr
    pepper_file = tmp_path / "var" / "person_key_pepper"
    assert first.stdout.strip() == second.stdout.strip() == pepper_file.read_text().strip()
    assert pepper_file.stat().st_mode & 0o777 == 0o600
