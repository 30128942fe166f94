"""Many cardholders signing in and starting a conversation at the same moment are all served.

The gateway's worker threads are fewer than the requests: a route that kept its pooled database
connection until FastAPI had validated its response (which waits for a worker thread again) let
a burst fill every thread with requests waiting for a connection while the connections' holders
waited for a thread, and both waited out the pool's 30 s timeout (503s at 50 conversations).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread

CARDHOLDERS = ("C0001", "C0002", "C0003")
BURST = 60
WORKER_THREADS = 4


def test_a_burst_of_sign_ins_and_starts_is_served_without_refusals(make_client, settings):
    client = make_client(login_limits_per_account="100000 per minute", login_limits_per_address="100000 per minute",
                         conversation_limits_per_address="100000 per minute", rate_limit_per_minute=100000)

    def fewer_threads() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS

    client.portal.call(fewer_threads)

    def sign_in_and_start(index: int) -> tuple[int, int]:
        login = client.post("/api/bank/login",
                            json={"customer_id": CARDHOLDERS[index % 3], "password": settings.demo_bank_password})
        if login.status_code != 200:
            return login.status_code, 0
        started = client.post("/api/chat/conversations", headers={"Authorization": f"Bearer {login.json()['token']}"})
        return login.status_code, started.status_code

    with ThreadPoolExecutor(BURST) as pool:
        outcomes = list(pool.map(sign_in_and_start, range(BURST)))
    assert outcomes == [(200, 201)] * BURST, sorted(set(outcomes))
