"""The app itself: pages, start-up without side effects, and the account command."""
from __future__ import annotations

import importlib

import pytest

from api import manage
from api.core.config import ApiSettings


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


def test_importing_the_module_app_touches_no_database(monkeypatch, tmp_path):
    target = tmp_path / "never" / "bank.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{target}")
    import api.main

    module = importlib.reload(api.main)
    assert module.app.state.settings.database_url.endswith("never/bank.db")
    assert not target.parent.exists()


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://rasa:5005")
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "500")
    monkeypatch.setenv("RASA_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("GATEWAY_SHARED_SECRET", "shared-with-the-action-server")
    settings = ApiSettings.from_env()
    assert (settings.rasa_url, settings.max_message_chars, settings.rasa_timeout_seconds) == ("http://rasa:5005", 500, 2.5)
    assert settings.gateway_shared_secret == "shared-with-the-action-server"
    assert "shared-with" not in repr(settings)  # secrets stay out of logs


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

