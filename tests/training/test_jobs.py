"""Background jobs: progress from Rasa's log, and a job whose process vanished never shows as running."""
from __future__ import annotations

import sys

from bot.training import jobs


def test_training_progress_counts_finished_components():
    read = jobs.epochs_progress(3)
    assert read("") == (0.0, "准备数据")
    log = "Epochs:  50%|###\rEpochs: 100%|#####\nEpochs:  20%|#"
    assert read(log) == (0.4, "训练第 2/3 个组件")


def test_a_job_runs_its_steps_and_records_the_result(tmp_path):
    store = jobs.JobStore(tmp_path)
    job = jobs.Job(jobs.new_job_id("test"), "evaluation", "trainer1", jobs.now_iso())
    jobs.start(store, job, [("第一步", [sys.executable, "-c", "print('hello')"])], tmp_path, lambda done: {"n": 1})
    done = jobs.wait(store, job.id, 30)
    assert done.status == "succeeded" and done.result == {"n": 1} and done.progress == 1.0
    assert "hello" in store.log_tail(job.id)


def test_a_failing_step_fails_the_job_with_a_reason(tmp_path):
    store = jobs.JobStore(tmp_path)
    job = jobs.Job(jobs.new_job_id("test"), "training", "trainer1", jobs.now_iso())
    jobs.start(store, job, [("训练", [sys.executable, "-c", "raise SystemExit(3)"])], tmp_path, lambda done: {})
    done = jobs.wait(store, job.id, 30)
    assert done.status == "failed" and "训练失败" in done.message and "3" in done.message


def test_a_running_job_whose_process_is_gone_reads_as_failed(tmp_path):
    store = jobs.JobStore(tmp_path)
    store.save(jobs.Job("train-old", "training", "trainer1", jobs.now_iso(), pid=2**22 + 12345))
    assert store.load("train-old").status == "failed"
    assert store.running() is None


def test_parallel_steps_all_run_and_one_failure_fails_the_job(tmp_path):
    store = jobs.JobStore(tmp_path)
    ok = jobs.Job(jobs.new_job_id("test"), "evaluation", "trainer1", jobs.now_iso())
    steps = [("新模型", [sys.executable, "-c", "print('a')"]), ("线上模型", [sys.executable, "-c", "print('b')"])]
    jobs.start(store, ok, steps, tmp_path, lambda done: {}, parallel=True)
    assert jobs.wait(store, ok.id, 30).status == "succeeded"
    assert {"a", "b"} <= set(store.log_tail(ok.id).split())
    bad = jobs.Job(jobs.new_job_id("test"), "evaluation", "trainer1", jobs.now_iso())
    jobs.start(store, bad, [steps[0], ("线上模型", [sys.executable, "-c", "raise SystemExit(2)"])], tmp_path,
               lambda done: {}, parallel=True)
    failed = jobs.wait(store, bad.id, 30)
    assert failed.status == "failed" and failed.message.startswith("线上模型失败")
