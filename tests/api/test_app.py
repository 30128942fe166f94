"""The app itself: pages, start-up without side effects, and the account command."""
from __future__ import annotations

import sys

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from api import manage
from api.core.config import ApiSettings, load_api_settings
from api.main import create_app
from bot.data.db import migrate, session_factory
from bot.data.models import AgentAccount, Cardholder
from bot.data.seed import main as seed_main
from bot.settings import DEMO_PREFIX, SettingsError, get_settings

SECRETS = [name for name, field in ApiSettings.__fields__.items() if field.type_ is SecretStr]


def test_pages_are_served_from_the_static_folder(make_client, tmp_path):
    static = tmp_path / "pages"
    static.mkdir()
    (static / "index.html").write_text("<title>widget</title>", encoding="utf-8")
    (static / "agent.html").write_text("<title>console</title>", encoding="utf-8")
    (static / "widget.js").write_text("// js", encoding="utf-8")
    client = make_client(static_dir=static)
    assert "widget" in client.get("/").text and client.get("/").headers["content-type"].startswith("text/html")
    assert "console" in client.get("/agent").text
    assert client.get("/static/widget.js").text == "// js"


def test_missing_pages_are_a_json_404(client):
    """The default test settings point at an empty folder."""
    response = client.get("/")
    assert response.status_code == 404 and response.json()["detail"]["code"] == "http_404"
    assert client.get("/static/widget.js").status_code == 404


def test_creating_the_app_touches_no_database(monkeypatch, tmp_path):
    target = tmp_path / "never" / "bank.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{target}")
    app = create_app()
    assert app.state.settings.database_url.endswith("never/bank.db")
    assert not target.parent.exists()


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://rasa:5005")
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "500")
    monkeypatch.setenv("RASA_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "shared-with-rasa-and-the-action-server")
    settings = load_api_settings()
    assert (settings.rasa_url, settings.max_message_chars, settings.rasa_timeout_seconds) == ("http://rasa:5005", 500, 2.5)
    assert settings.secret("action_server_token") == "shared-with-rasa-and-the-action-server"
    assert "shared-with" not in repr(settings) and "shared-with" not in str(settings.dict())  # secrets stay out of logs


STRONG = {name: f"{name}-a-real-secret-of-enough-length-0123456789" for name in SECRETS}


@pytest.mark.parametrize("problem", ["missing", "short", "demo"])
def test_outside_demo_mode_weak_secrets_refuse_to_start(monkeypatch, problem):
    monkeypatch.setenv("APP_ENV", "production")
    for name, value in STRONG.items():
        monkeypatch.setenv(name.upper(), value)
    if problem == "missing":
        monkeypatch.delenv("CHAT_TOKEN_SECRET")
    else:
        monkeypatch.setenv("CHAT_TOKEN_SECRET", "too-short" if problem == "short" else DEMO_PREFIX + "x" * 40)
    with pytest.raises(SettingsError, match="CHAT_TOKEN_SECRET"):
        create_app()
    with pytest.raises(SettingsError):
        get_settings.cache_clear()
        monkeypatch.setenv("ACTION_SERVER_TOKEN", "short")
        get_settings()
    get_settings.cache_clear()


def test_outside_demo_mode_there_is_no_demo_login_no_docs_and_no_demo_data(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    for name, value in STRONG.items():
        monkeypatch.setenv(name.upper(), value)
    url = f"sqlite:///{tmp_path / 'production.db'}"
    migrate(url)
    with TestClient(create_app(load_api_settings(database_url=url))) as client:
        assert client.post("/api/bank/login", json={"customer_id": "C0001", "password": "demo-password"}).status_code == 404
        assert client.get("/api/bank/demo-customers").status_code == 404
        assert client.get("/docs").status_code == 404 and client.get("/openapi.json").status_code == 404
        assert client.post("/api/chat/conversations").status_code == 201  # anonymous chat still works
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    monkeypatch.setattr(sys, "argv", ["seed"])
    seed_main()
    get_settings.cache_clear()
    with session_factory(url)() as session:
        assert session.scalar(select(func.count()).select_from(Cardholder)) == 0
        assert session.scalar(select(func.count()).select_from(AgentAccount)) == 0


def test_demo_mode_serves_the_docs_and_the_demo_login(client):
    assert client.get("/openapi.json").status_code == 200
    assert client.post("/api/bank/login", json={"customer_id": "C0001", "password": "demo-password"}).status_code == 200


def test_create_agent_command(client, database_url, capsys):
    args = ["create-agent", "--username", "agent3", "--display-name", "客服小张", "--role", "agent",
            "--password", "a-long-password"]
    assert manage.main(args) == 0
    assert "agent3" in capsys.readouterr().out
    login = client.post("/api/agent/login", json={"username": "agent3", "password": "a-long-password"})
    assert login.status_code == 200 and login.json()["display_name"] == "客服小张"
    assert manage.main(args) == 1  # the name is taken
    assert "already exists" in capsys.readouterr().err
    assert manage.main(["create-agent", "--username", "x", "--display-name", "X", "--password", "short"]) == 1


def test_create_agent_asks_for_the_password(database_url, monkeypatch):
    answers = iter(["typed-password-1", "typed-password-1"])
    monkeypatch.setattr(manage.getpass, "getpass", lambda prompt: next(answers))
    assert manage.main(["create-agent", "--username", "super2", "--display-name", "主管小周", "--role", "supervisor"]) == 0
    with pytest.raises(SystemExit):
        answers = iter(["one-password", "another-password"])
        monkeypatch.setattr(manage.getpass, "getpass", lambda prompt: next(answers))
        manage.main(["create-agent", "--username", "super3", "--display-name", "X"])

