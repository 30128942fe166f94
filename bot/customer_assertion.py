"""The gateway's proof that a bank-site session belongs to a customer.

The gateway signs (customer id, conversation id) with a secret it shares with the action
server; the action server trusts a customer id in message metadata only with a valid
signature, so nobody who reaches the Rasa REST channel directly can claim to be someone.
"""
from __future__ import annotations

import hashlib
import hmac
import os

DEMO_SECRET = "demo-only-gateway-secret-change-me"


def shared_secret() -> str:
    return os.environ.get("GATEWAY_SHARED_SECRET", DEMO_SECRET)


def sign_customer(customer_id: str, conversation_id: str, secret: str | None = None) -> str:
    message = f"{customer_id}\n{conversation_id}".encode()
    return hmac.new((secret or shared_secret()).encode(), message, hashlib.sha256).hexdigest()


def verified_customer_id(metadata: dict | None, conversation_id: str, secret: str | None = None) -> str | None:
    """The customer id in `metadata` if its signature is valid for this conversation."""
    if not isinstance(metadata, dict):
        return None
    customer_id, signature = metadata.get("customer_id"), metadata.get("customer_signature")
    if not isinstance(customer_id, str) or not isinstance(signature, str):
        return None
    expected = sign_customer(customer_id, conversation_id, secret)
    return customer_id if hmac.compare_digest(expected, signature) else None
