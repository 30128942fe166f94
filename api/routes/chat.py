"""The cardholder's chat: start a conversation, send messages, read them back, live socket."""
from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends, Query, WebSocket

from api import schemas
from api.core.config import ApiSettings
from api.core.identity import CustomerIdentity
from api.deps import bearer_token, current_conversation, get_gateway, get_settings, get_unit
from api.services import auth
from api.services.gateway import ChatGateway
from api.services.outbox import Unit
from api.services.sockets import serve_customer

router = APIRouter(prefix="/api/chat", tags=["chat"])


@router.post("/conversations", status_code=201, response_model=schemas.ConversationStarted)
def start_conversation(
    bank_token: str | None = Depends(bearer_token), unit: Unit = Depends(get_unit),
    settings: ApiSettings = Depends(get_settings),
):
    """Anonymous without a bank token; bound to the signed-in customer with a genuine one."""
    return auth.start_conversation(unit.session, settings, bank_token)


@router.get("/messages", response_model=schemas.MessagesPage)
def read_messages(
    after: int = Query(0, ge=0), identity: CustomerIdentity = Depends(current_conversation),
    gateway: ChatGateway = Depends(get_gateway),
):
    messages, state = gateway.replay(identity, after)
    return schemas.MessagesPage(messages=messages, state=state)


@router.post("/messages", status_code=202, response_model=schemas.MessageEnvelope)
def send_message(
    body: schemas.CustomerMessageIn, background: BackgroundTasks,
    identity: CustomerIdentity = Depends(current_conversation), gateway: ChatGateway = Depends(get_gateway),
):
    """Stored at once; the replies follow over the socket (or the next GET)."""
    message, created = gateway.accept(identity, body.text, body.client_id)
    if created:
        background.add_task(gateway.forward, identity.conversation_id, message.id)
    return schemas.MessageEnvelope(message=message)


@router.websocket("/ws")
async def chat_socket(websocket: WebSocket, token: str = "", after: int = 0):
    app = websocket.app
    await serve_customer(websocket, app.state.gateway, app.state.settings, token, after)
