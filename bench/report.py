"""The figures of one `make bench` run as a table (summary.md, summary.json) and a chart (latency.png).

    .venv/bin/python bench/report.py bench/results/latest
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PROCESSES = {"rasa run": "Rasa", "actions.server": "action server", "uvicorn": "gateway", "bot.events": "consumer"}


def loads(folder: Path) -> list[dict]:
    runs = []
    for path in sorted(folder.glob("*-*.json")):
        run = json.loads(path.read_text(encoding="utf-8"))
        run.pop("latencies_s", None)
        runs.append({**run, "name": path.stem})
    return runs


def memory(folder: Path, name: str = "memory.txt") -> dict[str, float]:
    """Resident memory of each kind of process after the loads, in MB (all instances together)."""
    found: dict[str, float] = {}
    path = folder / name
    for line in path.read_text().splitlines() if path.is_file() else []:
        rss, _, command = line.strip().partition(" ")
        name = next((label for key, label in PROCESSES.items() if key in command), None)
        if name:
            found[name] = round(found.get(name, 0) + int(rss) / 1024, 1)
    return found


def table(runs: list[dict], rss: dict[str, float]) -> str:
    lines = ["| load | conversations | pause | p50 ms | p95 ms | p99 ms | messages/s | errors |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for run in runs:
        pause = "closed loop" if run["think_s"] == 0 else f"{run['think_s']:g} s"
        lines.append(f"| {run['name']} | {run['conversations']} | {pause} | {run['p50_ms']} | {run['p95_ms']} | "
                     f"{run['p99_ms']} | {run['messages_per_s']} | {run['errors']} |")
    if rss:
        lines += ["", "resident memory after the loads: " + ", ".join(f"{k} {v} MB" for k, v in rss.items())]
    by_name = {run["name"]: run for run in runs}
    for n in (10, 50, 100):
        rasa, gateway = by_name.get(f"rasa-{n}-paced"), by_name.get(f"gateway-{n}-paced")
        if rasa and gateway and rasa["p50_ms"] and gateway["p50_ms"]:
            overhead = (gateway["p50_ms"] - rasa["p50_ms"]) / rasa["p50_ms"]
            lines.append(f"gateway overhead at {n} conversations (p50 through the gateway against straight to Rasa): "
                         f"{overhead:+.0%}")
    long = next((run for run in runs if run["name"].endswith("long")), None)
    if long and long["p50_ms_by_turn"]:
        turns = long["p50_ms_by_turn"]
        lines += ["", f"one conversation of {len(turns)} turns: turn 5 {turns.get('5')} ms, turn 50 {turns.get('50')} ms"]
    return "\n".join(lines) + "\n"


def cluster_memory(folder: Path) -> dict[str, dict[str, float]]:
    return {path.stem.removeprefix("memory-"): memory(folder, path.name)
            for path in sorted(folder.glob("memory-cluster*.txt"))}


def cluster_chart(runs: list[dict], path: Path) -> None:
    """Messages a second through nginx against the number of instances of each process."""
    closed = sorted((r for r in runs if r["name"].startswith("cluster") and r["name"].endswith("50-closed")),
                    key=lambda r: int(r["name"].removeprefix("cluster").split("-")[0]))
    if not closed:
        return
    sizes = [int(r["name"].removeprefix("cluster").split("-")[0]) for r in closed]
    figure, axis = plt.subplots(figsize=(6, 4))
    axis.plot(sizes, [r["messages_per_s"] for r in closed], marker="o", label="measured")
    axis.plot(sizes, [closed[0]["messages_per_s"] * n for n in sizes], linestyle=":", label="N-fold")
    axis.set_xlabel("instances of each process (2 cores)")
    axis.set_ylabel("messages a second, 50 conversations, closed loop")
    axis.set_xticks(sizes)
    axis.legend()
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def chart(runs: list[dict], path: Path) -> None:
    figure, axis = plt.subplots(figsize=(7, 4))
    for target in ("rasa", "gateway"):
        paced = sorted((r for r in runs if r["target"] == target and r["name"].endswith("paced")
                        and not r["name"].startswith("cluster")),
                       key=lambda r: r["conversations"])
        if paced:
            counts = [r["conversations"] for r in paced]
            axis.plot(counts, [r["p50_ms"] for r in paced], marker="o", label=f"{target} p50")
            axis.plot(counts, [r["p95_ms"] for r in paced], marker="o", linestyle="--", label=f"{target} p95")
    axis.set_xlabel("concurrent conversations (3 s between a reply and the next message)")
    axis.set_ylabel("ms per turn")
    axis.legend()
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main(folder: Path) -> None:
    runs = loads(folder)
    rss, per_cluster = memory(folder), cluster_memory(folder)
    (folder / "summary.json").write_text(json.dumps({"runs": runs, "memory_mb": rss, "cluster_memory_mb": per_cluster},
                                                    ensure_ascii=False, indent=1), encoding="utf-8")
    text = table(runs, rss) + "".join(
        f"\nresident memory, {name}: " + ", ".join(f"{k} {v} MB" for k, v in mb.items()) + "\n"
        for name, mb in per_cluster.items())
    (folder / "summary.md").write_text(text, encoding="utf-8")
    chart(runs, folder / "latency.png")
    cluster_chart(runs, folder / "throughput.png")
    print(text)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
