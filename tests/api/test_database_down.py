"""The bank database unreachable (a restart, a network cut): a clear answer the client can retry."""
from __future__ import annotations

from tests.api.conftest import free_port


def test_an_unreachable_database_is_a_clear_503_to_retry(make_client):
    client = make_client(database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/bank")
    response = client.post("/api/bank/login", json={"customer_id": "C0001", "password": "demo-password"})
    assert response.status_code == 503
    assert response.json()["detail"]["code"] == "database_unavailable"
    assert response.json()["detail"]["message"] == "服务暂时不可用，请稍后再试。"
    assert response.headers["Retry-After"] == "5"


def test_every_pooled_connection_busy_is_the_same_clear_503(client, monkeypatch):
    # the pool's wait running out (SQLAlchemy's TimeoutError) is simulated: under real load it
    # takes the pool's 30 s
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from api.services import auth

    def pool_exhausted(*_args, **_kwargs):
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00")

    monkeypatch.setattr(auth, "start_conversation", pool_exhausted)
    response = client.post("/api/chat/conversations")
    assert response.status_code == 503
    assert response.json()["detail"]["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "5"
