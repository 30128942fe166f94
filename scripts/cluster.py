"""`make run-cluster`: N action servers, N Rasa servers, N gateways, the event consumer and nginx in
front, on PostgreSQL, Redis and RabbitMQ; Ctrl-C (or SIGTERM) stops them all.

Each process is watched: one that dies is started again (a bank runs these under systemd or
Kubernetes with a restart policy; this is the same promise on one machine). Settings come from the
environment, as everywhere (README, "Deployment"); the defaults are this machine's local servers.

    .venv/bin/python scripts/cluster.py                  # 2 of each
    CLUSTER_SIZE=4 .venv/bin/python scripts/cluster.py   # 4 of each
    CLUSTER_GATEWAYS=2 CLUSTER_RASA=4 CLUSTER_ACTIONS=2 ...

Ports: nginx 8080 (public), 127.0.0.1:5100 (Rasa) and 127.0.0.1:5150 (action servers) inside;
instance i of each listens on the base port + i (8100 + i gateways, 5100 + i Rasa, 5150 + i
action servers; the event consumer's /health and /ready on the action servers' base + 21),
127.0.0.1 only. Logs, pid files and the nginx configuration go to var/cluster/.
"""
from __future__ import annotations

import os
import signal
import string
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"
LOCAL_DEFAULTS = {
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/overdue_bank",
    "TRACKER_STORE_URL": "postgresql://postgres@127.0.0.1:5432/overdue_tracker",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "LIMITS_STORAGE_URL": "redis://127.0.0.1:6379/1",
    "RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:5672/",
    # a conversation's lock outlives a killed Rasa by this many seconds, then another takes over
    "TICKET_LOCK_LIFETIME": "15",
    "RASA_TIMEOUT_SECONDS": "30",
    "RASA_MAX_CONCURRENCY": "32",
}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Instance:
    """One process of the cluster, started again whenever it exits while the cluster runs."""

    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str
    log: Path
    pid_file: Path
    process: subprocess.Popen | None = None
    next_start: float = 0.0
    quick_failures: int = 0
    started_at: float = 0.0

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.argv, env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.started_at = time.monotonic()
        self.pid_file.write_text(str(self.process.pid))

    def watch(self, now: float) -> None:
        """Start the process again if it has exited; back off if it keeps dying at once."""
        if self.process is None or self.process.poll() is None:
            return
        if self.next_start == 0.0:
            code = self.process.returncode
            self.quick_failures = self.quick_failures + 1 if now - self.started_at < 30 else 0
            self.next_start = now + min(1.0 * 2 ** self.quick_failures, 30.0)
            print(f"{self.name} exited ({code}); starting it again", flush=True)
        elif now >= self.next_start:
            self.next_start = 0.0
            self.start()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def wait_healthy(instances: list[Instance], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    waiting = list(instances)
    while waiting:
        waiting = [instance for instance in waiting if not healthy(instance.health_url)]
        for instance in waiting:
            if instance.process is not None and instance.process.poll() is not None:
                raise SystemExit(f"{instance.name} exited while starting; see {instance.log}")
        if waiting and time.monotonic() > deadline:
            raise SystemExit(f"not healthy after {seconds:.0f}s: {', '.join(i.name for i in waiting)}")
        time.sleep(1)


def prepare_storage(env: dict[str, str]) -> None:
    """Create the PostgreSQL databases if missing, migrate and seed the bank data, create Rasa's tables."""
    subprocess.run([str(BIN / "python"), "-m", "bot.data.prepare_storage"], env=env, cwd=REPO, check=True)


class Cluster:
    def __init__(self) -> None:
        size = env_int("CLUSTER_SIZE", 2)
        self.counts = {kind: env_int(f"CLUSTER_{kind.upper()}", size) for kind in ("gateways", "rasa", "actions")}
        self.public_port = env_int("CLUSTER_PORT", 8080)
        self.bases = {"gateways": env_int("CLUSTER_GATEWAY_PORT", 8100), "rasa": env_int("CLUSTER_RASA_PORT", 5100),
                      "actions": env_int("CLUSTER_ACTION_PORT", 5150)}
        self.dir = Path(os.environ.get("CLUSTER_DIR", REPO / "var" / "cluster")).resolve()
        self.logs, self.run = self.dir / "log", self.dir / "run"
        self.instances: list[Instance] = []
        self.nginx: subprocess.Popen | None = None
        self.stopping = False

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
               "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
        for name, value in LOCAL_DEFAULTS.items():
            env.setdefault(name, value)
        env["RASA_URL"] = f"http://127.0.0.1:{self.bases['rasa']}"
        env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{self.bases['actions']}/webhook"
        env["FORWARDED_ALLOW_IPS"] = "127.0.0.1"
        sys.path.insert(0, str(REPO))
        from bot.settings import SettingsError, get_settings  # the secrets as every process reads them

        os.environ.update({k: v for k, v in env.items() if k not in os.environ})
        try:
            settings = get_settings()
        except SettingsError as error:
            raise SystemExit(f"error: {error}") from None
        env["RASA_API_TOKEN"] = settings.secret("rasa_api_token")
        env["ACTION_SERVER_TOKEN"] = settings.secret("action_server_token")
        env["APP_ENV"] = settings.app_env
        return env

    def add(self, kind: str, index: int, argv: list[str], env: dict[str, str], health: str) -> Instance:
        name = f"{kind}-{index}"
        instance = Instance(name, argv, env, health, self.logs / f"{name}.log", self.run / f"{name}.pid")
        self.instances.append(instance)
        return instance

    def port(self, kind: str, index: int) -> int:
        return self.bases[kind] + index

    def start(self) -> None:
        for folder in (self.logs, self.run):
            folder.mkdir(parents=True, exist_ok=True)
        env = self.environment()
        prepare_storage(env)
        model = subprocess.run([str(BIN / "python"), "-m", "api.workbench_cli", "start-model"], env=env, cwd=REPO,
                               capture_output=True, text=True).stdout.strip() or "models"
        actions = [self.add("actions", i, [str(BIN / "python"), "-m", "actions.server"],
                            {**env, "ACTION_PORT": str(self.port("actions", i)), "ACTION_HOST": "127.0.0.1"},
                            f"http://127.0.0.1:{self.port('actions', i)}/health")
                   for i in range(1, self.counts["actions"] + 1)]
        rasa = [self.add("rasa", i, [str(BIN / "rasa"), "run", "--interface", "127.0.0.1", "--port",
                                     str(self.port("rasa", i)), "--model", model, "--enable-api", "--auth-token",
                                     env["RASA_API_TOKEN"], "--endpoints", "endpoints.yml", "--credentials",
                                     "credentials.yml"], env, f"http://127.0.0.1:{self.port('rasa', i)}/")
                for i in range(1, self.counts["rasa"] + 1)]
        gateways = [self.add("gateway", i, [str(BIN / "uvicorn"), "--factory", "api.main:create_app", "--host",
                                            "127.0.0.1", "--port", str(self.port("gateways", i)), "--proxy-headers",
                                            "--forwarded-allow-ips", "127.0.0.1"], env,
                             f"http://127.0.0.1:{self.port('gateways', i)}/health")
                    for i in range(1, self.counts["gateways"] + 1)]
        consumer_port = self.bases["actions"] + 21
        self.add("consumer", 1, [str(BIN / "python"), "-m", "bot.events.consumer"],
                 {**env, "CONSUMER_HEALTH_PORT": str(consumer_port)}, f"http://127.0.0.1:{consumer_port}/ready")
        for instance in self.instances:
            instance.start()
        self.start_nginx()
        wait_healthy(actions + rasa + gateways, float(os.environ.get("CLUSTER_START_SECONDS", 600)))
        wait_healthy([Instance("nginx", [], {}, f"http://127.0.0.1:{self.public_port}/ready", self.logs / "nginx.log",
                               self.run / "nginx.pid")], 120)
        print(f"cluster ready: {self.counts['gateways']} gateway(s), {self.counts['rasa']} Rasa, "
              f"{self.counts['actions']} action server(s), 1 event consumer behind nginx", flush=True)
        print(f"Bank site and chat: http://localhost:{self.public_port}   agent console: "
              f"http://localhost:{self.public_port}/agent   logs: {self.logs}", flush=True)

    def start_nginx(self) -> None:
        def servers(kind: str) -> str:
            return " ".join(f"server 127.0.0.1:{self.port(kind, i)} max_fails=1 fail_timeout=3s;"
                            for i in range(1, self.counts[kind] + 1))

        template = string.Template((REPO / "scripts" / "nginx.conf.template").read_text())
        config = self.dir / "nginx.conf"
        config.write_text(template.substitute(
            user_line="user root;" if os.geteuid() == 0 else "", run_dir=self.run, log_dir=self.logs,
            gateways=servers("gateways"), rasa=servers("rasa"), actions=servers("actions"),
            public_port=self.public_port, rasa_port=self.bases["rasa"], action_port=self.bases["actions"]))
        nginx = os.environ.get("NGINX", "/usr/sbin/nginx")
        self.nginx = subprocess.Popen([nginx, "-p", str(self.dir), "-c", str(config), "-g", "daemon off;"],
                                      stdout=(self.logs / "nginx.log").open("ab"), stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def watch_forever(self) -> None:
        while not self.stopping:
            now = time.monotonic()
            for instance in self.instances:
                instance.watch(now)
            if self.nginx is not None and self.nginx.poll() is not None:
                print("nginx exited; starting it again", flush=True)
                self.start_nginx()
            time.sleep(0.5)

    def stop(self, *_: object) -> None:
        """SIGTERM to every process, SIGKILL to what is left after 20 s."""
        self.stopping = True
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
        for instance in self.instances:
            instance.stop()
        deadline = time.monotonic() + 20
        for instance in self.instances:
            while instance.process is not None and instance.process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            instance.stop(signal.SIGKILL)
        if self.nginx is not None:
            try:
                self.nginx.wait(10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        for pid_file in self.run.glob("*.pid"):
            pid_file.unlink(missing_ok=True)
        print("cluster stopped", flush=True)


def main() -> None:
    cluster = Cluster()

    def interrupted(*_: object) -> None:
        raise SystemExit(0)  # unwinds start() or the watch loop; `finally` stops everything once

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    try:
        cluster.start()
        cluster.watch_forever()
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        cluster.stop()


if __name__ == "__main__":
    main()
