"""The trainers' workbench in a terminal: the same review, examples, checks, evaluation, training
and model switching as the /trainer page, for scripts and for trainers who prefer a shell.

    python -m api.workbench_cli conversations --max-confidence 0.6 --unreviewed
    python -m api.workbench_cli show web-3f2a...
    python -m api.workbench_cli mark web-3f2a... --flag --tag 意图错误 --reviewed
    python -m api.workbench_cli save-test web-3f2a...
    python -m api.workbench_cli add "我是不会还钱的" --intent refuse_to_pay            # shows the diff
    python -m api.workbench_cli add "我是不会还钱的" --intent refuse_to_pay --apply    # writes it
    python -m api.workbench_cli import transcripts.csv | import-handoffs | imports
    python -m api.workbench_cli check
    python -m api.workbench_cli train                   # waits, showing progress (the job lives in this process)
    python -m api.workbench_cli evaluate [--model wb-....tar.gz] [--folds 5]
    python -m api.workbench_cli models | activate wb-....tar.gz | rollback | audit
    python -m api.workbench_cli start-model             # the model Rasa should load on start (scripts/run.sh)

It reads the same settings as the API (DATABASE_URL, TRACKER_STORE_URL, TRAINING_WORKSPACE,
RASA_URL, RASA_API_TOKEN). Changes are recorded in the audit log under --as, or the system user.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from api.core.config import load_api_settings
from api.services.workbench import MAX_IMPORT_BYTES, workbench_for
from bot.data.db import migrate, session_factory, session_scope
from bot.services import trainer_desk, training_records
from bot.services.conversation_review import tracker_engine
from bot.services.errors import ServiceError
from bot.training import jobs

JOB_WAIT_S = 3600


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = load_api_settings()
    bench = workbench_for(settings)
    if args.command == "start-model":  # no database needed, and nothing else printed
        print(bench.registry.model_to_start_with(bench.workspace.root / "models"))
        return 0
    tracker = tracker_engine(settings.tracker_store_url)
    actor = args.actor or getpass.getuser()
    migrate(settings.database_url)
    try:
        with session_scope(session_factory(settings.database_url)) as session:
            result = _run(args, session, bench, tracker, actor)
        if args.command in ("train", "evaluate") and result.get("status") == "running":
            result = _wait(bench, args.command, result["id"])
    except ServiceError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    _print(result)
    return 0 if not (isinstance(result, dict) and result.get("status") == "failed") else 1


def _run(args: argparse.Namespace, session: Any, bench: trainer_desk.Bench, tracker: Any, actor: str) -> Any:
    command = args.command
    if command == "conversations":
        filters = {k: getattr(args, k) for k in ("date_from", "date_to", "intent", "max_confidence", "fallback",
                                                 "handed_off", "unreviewed", "flagged", "q", "limit")}
        return trainer_desk.conversations(session, tracker, filters)
    if command == "show":
        return trainer_desk.conversation(session, tracker, args.conversation_id)
    if command == "mark":
        return trainer_desk.mark(session, actor, args.conversation_id, args.flag, args.tag, args.reviewed)
    if command == "save-test":
        return trainer_desk.save_test_story(session, tracker, bench, actor, args.conversation_id)
    if command == "add":
        return trainer_desk.example_change(bench, args.text, args.intent, apply=args.apply, session=session,
                                           actor=actor, import_id=args.import_id)
    if command == "import":
        content = Path(args.file).read_bytes()[: MAX_IMPORT_BYTES + 1]
        return trainer_desk.import_file(session, bench, actor, Path(args.file).name, content)
    if command == "import-handoffs":
        return training_records.import_handoffs(session, actor).as_dict()
    if command == "imports":
        return training_records.imports(session, status=args.status)
    if command == "check":
        return trainer_desk.checks(bench, with_rasa=not args.no_rasa)
    if command == "train":
        return trainer_desk.start_training(session, bench, actor)
    if command == "evaluate":
        return trainer_desk.start_evaluation(session, bench, actor, args.model, args.folds)
    if command == "models":
        return trainer_desk.models(bench)
    if command == "activate":
        return trainer_desk.activate(session, bench, actor, args.name)
    if command == "rollback":
        return trainer_desk.rollback(session, bench, actor)
    return training_records.audit_log(session, limit=args.limit)


def _wait(bench: trainer_desk.Bench, command: str, job_id: str) -> dict:
    """Follow a background job to its end, printing its progress on stderr."""
    store = bench.registry.jobs if command == "train" else bench.evaluator.jobs
    deadline = time.monotonic() + JOB_WAIT_S
    while time.monotonic() < deadline:
        job = store.load(job_id)
        print(f"\r{jobs.STATUS_LABELS[job.status]} {job.progress:.0%} {job.stage}   ", end="", file=sys.stderr,
              flush=True)
        if job.status != "running":
            print(file=sys.stderr)
            return bench.evaluator.result(job_id) if command == "evaluate" else trainer_desk.training(bench, job_id)
        time.sleep(2)
    return store.load(job_id).as_dict()


def _print(result: Any) -> None:
    diffs = [change["diff"] for change in result.get("changes", [])] if isinstance(result, dict) else []
    if diffs:  # a diff reads best as itself
        print("".join(diffs), end="")
        print("已写入训练数据。" if result.get("applied") else "（预览：加 --apply 写入）")
        return
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api.workbench_cli", description="训练师工作台（命令行）")
    parser.add_argument("--as", dest="actor", help="the trainer recorded in the audit log (default: system user)")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("conversations", help="list conversations to review")
    listing.add_argument("--from", dest="date_from", type=date.fromisoformat)
    listing.add_argument("--to", dest="date_to", type=date.fromisoformat)
    listing.add_argument("--intent")
    listing.add_argument("--max-confidence", type=float)
    listing.add_argument("--fallback", action="store_true", default=None)
    listing.add_argument("--handed-off", action="store_true", default=None)
    listing.add_argument("--unreviewed", action="store_true")
    listing.add_argument("--flagged", action="store_true", default=None)
    listing.add_argument("--q", help="text to search for")
    listing.add_argument("--limit", type=int, default=50)
    commands.add_parser("show", help="one conversation, turn by turn").add_argument("conversation_id")
    mark = commands.add_parser("mark", help="flag, tag or mark a conversation reviewed")
    mark.add_argument("conversation_id")
    mark.add_argument("--flag", action=argparse.BooleanOptionalAction, default=None)
    mark.add_argument("--tag", action="append")
    mark.add_argument("--reviewed", action=argparse.BooleanOptionalAction, default=None)
    commands.add_parser("save-test", help="save a conversation as a test story").add_argument("conversation_id")
    add = commands.add_parser("add", help="add or correct an example (a diff; --apply writes it)")
    add.add_argument("text")
    add.add_argument("--intent", required=True)
    add.add_argument("--apply", action="store_true")
    add.add_argument("--import-id", type=int, help="the imported message this example settles")
    commands.add_parser("import", help="import a CSV or JSON-lines file for labelling").add_argument("file")
    commands.add_parser("import-handoffs", help="import cardholders' messages of handed-off conversations")
    commands.add_parser("imports", help="imported messages").add_argument("--status", choices=["new", "added", "ignored"])
    commands.add_parser("check", help="check the data before training").add_argument("--no-rasa", action="store_true")
    commands.add_parser("train", help="train a model, showing progress")
    evaluate = commands.add_parser("evaluate", help="evaluate a model beside the serving one")
    evaluate.add_argument("--model")
    evaluate.add_argument("--folds", type=int)
    commands.add_parser("models", help="trained models and the serving one")
    commands.add_parser("activate", help="serve a model on the running Rasa").add_argument("name")
    commands.add_parser("rollback", help="serve the previous model again")
    commands.add_parser("audit", help="who changed what").add_argument("--limit", type=int, default=50)
    commands.add_parser("start-model", help="the model Rasa should load when it starts")
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
