"""Model switching never leaves Rasa without a model. The real Rasa server is used in the browser
test; here a stand-in answers like Rasa's HTTP API to simulate the failures."""
from __future__ import annotations

import json
import os
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.training.registry import ModelError, ModelRegistry, RasaAdmin
from bot.training.workspace import Workspace


class FakeRasa:
    """Serves `model`; PUT /model succeeds unless `refuse` (500, old model kept) or `misreport`."""

    def __init__(self) -> None:
        self.model, self.refuse, self.misreport, self.loads = "assistant.tar.gz", False, False, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _json(self, code: int, body: object | None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                if body is not None:
                    self.wfile.write(json.dumps(body).encode())

            def do_GET(self) -> None:
                self._json(200, {"model_file": fake.model})

            def do_PUT(self) -> None:
                path = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["model_file"]
                fake.loads.append(Path(path).name)
                if fake.refuse:
                    return self._json(500, {"message": "model could not be loaded"})
                fake.model = "something-else.tar.gz" if fake.misreport else Path(path).name
                self._json(204, None)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.admin = RasaAdmin(f"http://127.0.0.1:{self.server.server_port}", "token", timeout_s=5)


@pytest.fixture
def rasa():
    fake = FakeRasa()
    yield fake
    fake.server.shutdown()


def model_file(folder: Path, name: str, age_s: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with tarfile.open(path, "w:gz"):
        pass
    stamp = path.stat().st_mtime - age_s
    os.utime(path, (stamp, stamp))
    return path


@pytest.fixture
def registry(tmp_path) -> ModelRegistry:
    ws = Workspace(tmp_path)
    model_file(tmp_path / "models", "assistant.tar.gz", 1000)
    model_file(ws.models_dir, "wb-1.tar.gz", 100)
    model_file(ws.models_dir, "wb-2.tar.gz", 50)
    return ModelRegistry(ws, keep=2)


def test_activation_switches_and_rollback_returns_to_the_model_before(registry, rasa):
    assert registry.activate("wb-2.tar.gz", "trainer1", rasa.admin) == \
        {"serving": "wb-2.tar.gz", "previous": "assistant.tar.gz", "rollback": False}
    assert [m["name"] for m in registry.models() if m["active"]] == ["wb-2.tar.gz"]
    assert registry.rollback("trainer1", rasa.admin)["serving"] == "assistant.tar.gz"
    assert rasa.model == "assistant.tar.gz"
    assert [entry["name"] for entry in registry.history()] == ["assistant.tar.gz", "wb-2.tar.gz", "assistant.tar.gz"]


def test_a_model_rasa_cannot_load_leaves_the_old_one_serving(registry, rasa):
    rasa.refuse = True
    with pytest.raises(ModelError, match="未能加载"):
        registry.activate("wb-2.tar.gz", "trainer1", rasa.admin)
    assert rasa.model == "assistant.tar.gz" and registry.history() == []


def test_a_model_rasa_does_not_report_afterwards_is_undone(registry, rasa):
    rasa.misreport = True
    with pytest.raises(ModelError, match="已恢复原模型"):
        registry.activate("wb-1.tar.gz", "trainer1", rasa.admin)
    assert rasa.loads[-1] == "assistant.tar.gz"  # the previous model was put back


def test_only_model_files_of_the_workbench_can_be_activated(registry, rasa, tmp_path):
    (registry.ws.models_dir / "wb-broken.tar.gz").write_text("not a model")
    for name in ("../assistant.tar.gz", "wb-none.tar.gz", "wb-broken.tar.gz"):
        with pytest.raises(ModelError):
            registry.activate(name, "trainer1", rasa.admin)
    assert rasa.loads == []


def test_pruning_keeps_the_newest_and_the_serving_and_previous_models(registry, rasa):
    registry.activate("wb-1.tar.gz", "trainer1", rasa.admin)
    model_file(registry.ws.models_dir, "wb-3.tar.gz")
    assert registry.prune() == []  # wb-1 serves, though older than the two kept
    registry.activate("wb-3.tar.gz", "trainer1", rasa.admin)
    model_file(registry.ws.models_dir, "wb-4.tar.gz")
    assert registry.prune() == ["wb-2.tar.gz"]
    assert {m["name"] for m in registry.models()} == {"wb-4.tar.gz", "wb-3.tar.gz", "wb-1.tar.gz"}


def test_rasa_out_of_reach_is_said_plainly(registry):
    down = RasaAdmin("http://127.0.0.1:9", None, timeout_s=1)
    with pytest.raises(ModelError, match="无法连接"):
        registry.activate("wb-1.tar.gz", "trainer1", down)


def test_after_a_restart_the_activated_model_serves_unless_a_newer_one_was_built(registry, rasa):
    built = registry.ws.root / "models"
    assert registry.model_to_start_with(built) == built  # nothing activated yet
    registry.activate("wb-1.tar.gz", "trainer1", rasa.admin)
    assert registry.model_to_start_with(built) == registry.ws.models_dir / "wb-1.tar.gz"
    model_file(built, "assistant.tar.gz", age_s=-60)  # `make train` after the activation
    assert registry.model_to_start_with(built) == built
