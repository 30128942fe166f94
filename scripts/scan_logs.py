"""After the test run: no token, secret, card or ID number, phone number or typed verification
answer in any log the stack wrote (results/logs/: Rasa, the action server, the API servers and
the in-process test run). Exits 1 and names file, line and kind for every finding.

    python scripts/scan_logs.py results/logs
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import SecretStr  # noqa: E402

from api.core.config import ApiSettings  # noqa: E402
from bot.data.seed import DEMO_CARDHOLDERS  # noqa: E402

PATTERNS: dict[str, re.Pattern[str]] = {
    "token in a URL": re.compile(r"[?&](?:token|ticket|access_token)=(?!\[redacted\])[^&\s\"']+"),
    "bearer token": re.compile(r"Bearer\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}"),
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"),
    "token in JSON": re.compile(r'"(?:token|password|secret)"\s*:\s*"(?!\[redacted\])[^"]+"'),
    "card number": re.compile(r"(?<!\d)\d{16,19}(?!\d)"),
    "ID number": re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])"),
    "phone number": re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
}
# What the tests and the demo use as secrets, and the answers cardholders type to verify.
TEST_SECRETS = ("e2e-test-token", "e2e-action-server-shared-secret", "test-agent-password",
                "browser-test-bank-password", "browser-test-agent-password", "demo-password", "demo-agent-password")


def literal_findings() -> dict[str, re.Pattern[str]]:
    demo_secrets = [field.default.get_secret_value() for field in ApiSettings.__fields__.values()
                    if isinstance(field.default, SecretStr)]
    answers = [holder.id_number[-6:] for holder in DEMO_CARDHOLDERS] + [h.card_number[-4:] for h in DEMO_CARDHOLDERS]
    found = {f"secret {s[:6]}...": re.compile(re.escape(s)) for s in (*TEST_SECRETS, *demo_secrets)}
    # a masked card ("**** **** **** 6217") or phone ("138****6217") keeps its last four: not an answer
    found.update({f"verification answer {a[:2]}**": re.compile(
        rf"(?<![0-9A-Za-z*])(?<!\*\*\*\* ){re.escape(a)}(?![0-9A-Za-z])", re.IGNORECASE) for a in answers})
    return found


def scan(folder: Path) -> list[str]:
    checks = {**PATTERNS, **literal_findings()}
    findings = []
    for path in sorted(folder.rglob("*.log")):
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for kind, pattern in checks.items():
                if pattern.search(line):
                    findings.append(f"{path.name}:{number}: {kind}")
    return findings


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "results/logs")
    logs = sorted(folder.rglob("*.log"))
    if not logs:
        print(f"log scan: no logs under {folder}", file=sys.stderr)
        return 1
    findings = scan(folder)
    for finding in findings:
        print(f"log scan: {finding}", file=sys.stderr)
    size = sum(path.stat().st_size for path in logs)
    print(f"log scan: {len(logs)} log files, {size:,} bytes, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
