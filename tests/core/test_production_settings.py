"""Finding 6 and 8: production refuses to start without SECRET_KEY, a development install generates
one key once and keeps it, HTTPS=1 turns on secure cookies, redirects and HSTS; two gunicorn
instances with the project's configuration run side by side; every import is declared."""

from __future__ import annotations

import ast
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _django(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("SECRET_KEY", "DEBUG", "HTTPS", "DJANGO_SETTINGS_MODULE")}
    environment.update({"SMARTCITY_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "smartcity.settings",
                        **env})
    return subprocess.run([PYTHON, "-c", "import django; django.setup()\n" + code], cwd=REPO, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_production_without_secret_key_refuses_to_start(tmp_path: Path) -> None:
    result = _django("", tmp_path, DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_uses_the_secret_key_it_is_given(tmp_path: Path) -> None:
    result = _django("from django.conf import settings; print(settings.SECRET_KEY)", tmp_path,
                     DEBUG="0", SECRET_KEY="the-same-on-every-server")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "the-same-on-every-server"


def test_a_development_install_generates_one_key_once_and_keeps_it(tmp_path: Path) -> None:
    show = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _django(show, tmp_path, DEBUG="1")
    second = _django(show, tmp_path, DEBUG="1")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "var" / "secret_key"
    assert first.stdout.strip() == second.stdout.strip() == key_file.read_text().strip()
    assert len(first.stdout.strip()) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_https_turns_on_secure_cookies_redirects_and_hsts(tmp_path: Path) -> None:
    code = """
from django.conf import settings
from django.test import Client
assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
assert settings.SESSION_COOKIE_NAME == "__Host-sessionid" and settings.CSRF_COOKIE_NAME == "__Host-csrftoken"
client = Client()
plain = client.get("/static/css/outage.css")
print("plain", plain.status_code, plain.get("Location"))
secure = client.get("/static/css/outage.css", secure=True)
print("secure", secure.status_code, secure.get("Strict-Transport-Security"))
proxied = client.get("/static/css/outage.css", HTTP_X_FORWARDED_PROTO="https")
print("proxied", proxied.status_code, proxied.get("Strict-Transport-Security"))
"""
    result = _django(code, tmp_path, DEBUG="0", SECRET_KEY="k" * 50, HTTPS="1", SECURE_HSTS_SECONDS="63072000",
                     SECURE_HSTS_PRELOAD="1")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["plain"] == "301 https://testserver/static/css/outage.css"
    assert lines["secure"] == "200 max-age=63072000; includeSubDomains; preload"
    assert lines["proxied"] == "200 max-age=63072000; includeSubDomains; preload"
    without = _django("from django.conf import settings; print(settings.SECURE_HSTS_SECONDS, "
                      "settings.SESSION_COOKIE_SECURE)", tmp_path, DEBUG="0", SECRET_KEY="k" * 50)
    assert without.stdout.strip() == "0 False"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[str]) -> int:
    for _ in range(300):
        if process.poll() is not None:
            return -1
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                return int(response.status)
        except OSError:
            time.sleep(0.2)
    return -2


@pytest.mark.enable_socket
def test_two_gunicorn_instances_with_the_project_configuration_run_side_by_side(tmp_path: Path) -> None:
    gunicorn = Path(PYTHON).parent / "gunicorn"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "smartcity.settings", "SECRET_KEY": "k" * 50,
                   "DEBUG": "0", "SMARTCITY_VAR_DIR": str(tmp_path / "var"), "GUNICORN_WORKERS": "1",
                   "GUNICORN_THREADS": "2", "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path)}
    environment.pop("DATABASE_URL", None)
    processes = []
    try:
        for _ in range(2):
            port = _free_port()
            process = subprocess.Popen(
                [str(gunicorn), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "smartcity.wsgi"],
                cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            processes.append((process, port))
        for process, port in processes:
            # /static/ needs no database: whitenoise answers before any view.
            assert _wait_for(f"http://127.0.0.1:{port}/static/css/outage.css", process) == 200
        for process, _port in processes:
            assert process.poll() is None
        assert not (tmp_path / "gunicorn.ctl").exists() and not (tmp_path / ".gunicorn").exists()
    finally:
        for process, _port in processes:
            process.terminate()
        for process, _port in processes:
            output, _ = process.communicate(timeout=30)
            assert "control" not in output.lower() or "error" not in output.lower(), output
            assert "gthread" in output, output


def test_every_imported_package_is_declared() -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    local = {path.name for path in REPO.iterdir() if (path / "__init__.py").exists()}
    local |= {path.stem for path in REPO.glob("*.py")} | {"tests"}
    declared: set[str] = set()
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        for line in (REPO / requirements).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                declared.add(re.split(r"[<>=\[;~! ]", line)[0].lower().replace("_", "-"))
    distributions = metadata.packages_distributions()
    undeclared: dict[str, str] = {}
    for source in REPO.rglob("*.py"):
        relative = source.relative_to(REPO)
        if relative.parts[0] in (".venv", "var", "node_modules"):
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module.split(".")[0]]
            else:
                continue
            for module in modules:
                if module in stdlib or module in local:
                    continue
                names = {name.lower().replace("_", "-") for name in distributions.get(module, [])}
                if not names & declared:
                    undeclared.setdefault(module, str(relative))
    assert undeclared == {}


def test_the_lock_files_pin_every_requirement_with_hashes() -> None:
    for lock, source in (("requirements.lock", "requirements.txt"), ("requirements-dev.lock", "requirements-dev.txt")):
        text = (REPO / lock).read_text()
        pinned = {match.lower().replace("_", "-") for match in re.findall(r"^([A-Za-z0-9_.\-]+)==", text, re.M)}
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
        assert all("--hash=sha256:" in block for block in blocks if "==" in block.split("\n")[0])
        for line in (REPO / source).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                assert re.split(r"[<>=\[;~! ]", line)[0].lower().replace("_", "-") in pinned, (lock, line)
