import pytest

from smartcity.env import env_bool, parse_email_url


def test_email_url_smtp_with_tls() -> None:
    config = parse_email_url("submission://user%40x.ro:s%3Acret@mail.example.org:587")
    assert config["EMAIL_HOST"] == "mail.example.org"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_USER"] == "user@x.ro"
    assert config["EMAIL_HOST_PASSWORD"] == "s:cret"
    assert config["EMAIL_USE_TLS"] is True


def test_email_url_console_and_bad_scheme() -> None:
    assert parse_email_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ValueError, match="EMAIL_URL"):
        parse_email_url("carrier-pigeon://x")


def test_env_bool_rejects_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ValueError, match="X_FLAG"):
        env_bool("X_FLAG", default=False)
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", default=False) is True
