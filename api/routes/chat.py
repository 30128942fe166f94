"""The cardholder's chat: start a conversation, send messages, read them back, live socket."""
from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends, WebSocket

from api import schemas
from api.core.config import ApiSettings
from api.core.identity import CustomerIdentity
from api.deps import bearer_token, client_address, current_conversation, get_gateway, get_guards, get_settings
from api.routes.params import AfterId
from api.services import auth
from api.services.gateway import ChatGateway
from api.services.sockets import serve_customer
from api.services.throttle import Guards

router = APIRouter(prefix="/api/chat", tags=["chat"], responses=schemas.ERROR_RESPONSES)


@router.post("/conversations", status_code=201, response_model=schemas.ConversationStarted)
def start_conversation(
    bank_token: str | None = Depends(bearer_token), gateway: ChatGateway = Depends(get_gateway),
    settings: ApiSettings = Depends(get_settings), guards: Guards = Depends(get_guards),
    address: str = Depends(client_address),
):
    """Anonymous without a bank token; bound to the signed-in customer with a genuine one."""
    return gateway.in_unit(lambda unit: auth.start_conversation(unit.session, settings, guards, bank_token, address))


@router.get("/messages", response_model=schemas.MessagesPage)
def read_messages(
    after: AfterId = 0, identity: CustomerIdentity = Depends(current_conversation),
    gateway: ChatGateway = Depends(get_gateway),
):
    messages, state = gateway.replay(identity, after)
    return schemas.MessagesPage(messages=messages, state=state)


@router.post("/messages", status_code=202, response_model=schemas.MessageEnvelope)
def send_message(
    body: schemas.CustomerMessageIn, background: BackgroundTasks,
    identity: CustomerIdentity = Depends(current_conversation), gateway: ChatGateway = Depends(get_gateway),
):
    """Stored at once; the replies follow over the socket (or the next GET). A retry of a message
    the assistant has not answered yet sends it on again (it is still answered once)."""
    message, pending = gateway.accept(identity, body.text, body.client_id)
    if pending:
        background.add_task(gateway.forward, identity.conversation_id)
    else:  # an agent holds the conversation: the assistant helps the agent instead
        background.add_task(gateway.assist_agent, identity.conversation_id, message.id, message.text)
    return schemas.MessageEnvelope(message=message)


@router.websocket("/ws")
async def chat_socket(websocket: WebSocket):
    """The first frame authenticates: {"type": "auth", "token": ..., "after": <last id seen>}."""
    await serve_customer(websocket, websocket.app.state.gateway, websocket.app.state.settings)
