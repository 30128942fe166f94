"""The workbench from a terminal: the same changes, audited under the name given."""
from __future__ import annotations

import json

import pytest

from api import workbench_cli
from bot.training import jobs, nlu_files
from tests.training import small_workspace


@pytest.fixture
def workspace(database_url, tmp_path, monkeypatch):
    ws = small_workspace.build(tmp_path / "workspace", per_intent=12)
    monkeypatch.setenv("TRAINING_WORKSPACE", str(ws.root))
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    return ws


def test_an_example_is_previewed_then_applied_and_audited(workspace, capsys):
    assert workbench_cli.main(["add", "我是不会还钱的", "--intent", "refuse_to_pay"]) == 0
    assert "+    - 我是不会还钱的" in capsys.readouterr().out
    assert not any(e.text == "我是不会还钱的" for e in nlu_files.examples(workspace.nlu_dir))
    assert workbench_cli.main(["--as", "trainer1", "add", "我是不会还钱的", "--intent", "refuse_to_pay", "--apply"]) == 0
    assert "已写入训练数据" in capsys.readouterr().out
    assert [e.intent for e in nlu_files.examples(workspace.nlu_dir) if e.text == "我是不会还钱的"] == ["refuse_to_pay"]
    assert workbench_cli.main(["audit"]) == 0
    entry = json.loads(capsys.readouterr().out)[0]
    assert (entry["actor"], entry["action"], entry["target"]) == ("trainer1", "add_example", "refuse_to_pay")


def test_a_refusal_is_printed_in_chinese_with_a_failing_exit_code(workspace, capsys):
    assert workbench_cli.main(["add", "随便", "--intent", "no_such_intent"]) == 1
    assert "没有意图 no_such_intent" in capsys.readouterr().err


def test_checks_and_a_finished_training_are_reported(workspace, capsys):
    assert workbench_cli.main(["check", "--no-rasa"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    bench = workbench_cli.workbench_for(workbench_cli.load_api_settings())
    done = jobs.Job("train-done", "training", "trainer1", jobs.now_iso(), status="succeeded", progress=1.0,
                    result={"model": "wb-done.tar.gz"})
    bench.registry.jobs.save(done)
    assert workbench_cli._wait(bench, "train", "train-done")["result"] == {"model": "wb-done.tar.gz"}
    assert "已完成 100%" in capsys.readouterr().err
