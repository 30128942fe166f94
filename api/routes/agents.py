"""The agent console: queue, claiming, live chat, notes, outcomes, and the supervisor's tools."""
from __future__ import annotations

from fastapi import APIRouter, Depends, WebSocket

from api import schemas
from api.core.config import ApiSettings
from api.deps import client_address, current_agent, get_gateway, get_guards, get_settings, get_unit, require_supervisor
from api.routes.params import (
    ComplaintKey, ConversationId, HandoffId, KnowledgeQuery, OutcomeKey, QuoteAmount, QuoteTerm, ReportDays,
)
from api.services import auth, desk
from api.services.gateway import ChatGateway
from api.services.outbox import Unit
from api.services.sockets import serve_agent
from api.services.throttle import Guards
from bot.data.models import AgentAccount

router = APIRouter(prefix="/api/agent", tags=["agent console"], responses=schemas.ERROR_RESPONSES)
Agent = Depends(current_agent)
Supervisor = Depends(require_supervisor)
Work = Depends(get_unit)


@router.post("/login", response_model=schemas.AgentSession)
def login(
    body: schemas.AgentLogin, unit: Unit = Work, settings: ApiSettings = Depends(get_settings),
    guards: Guards = Depends(get_guards), address: str = Depends(client_address),
):
    return auth.agent_login(unit.session, settings, guards, body.username, body.password, address)


@router.get("/queue", response_model=schemas.QueuePage)
def queue(agent: AgentAccount = Agent, unit: Unit = Work):
    return desk.queue(unit, agent)


@router.post("/handoffs/{handoff_id}/claim", response_model=schemas.ConversationEnvelope)
def claim(handoff_id: HandoffId, agent: AgentAccount = Agent, unit: Unit = Work):
    return schemas.ConversationEnvelope(conversation=desk.claim(unit, handoff_id, agent))


@router.post("/handoffs/{handoff_id}/assign", response_model=schemas.QueueItem)
def assign(handoff_id: HandoffId, body: schemas.AssignIn, _supervisor: AgentAccount = Supervisor, unit: Unit = Work):
    return desk.assign(unit, handoff_id, body.username)


@router.get("/conversations/{conversation_id}", response_model=schemas.ConversationDetail)
def conversation(conversation_id: ConversationId, agent: AgentAccount = Agent, unit: Unit = Work):
    return desk.detail(unit, conversation_id, agent)


@router.post("/conversations/{conversation_id}/messages", response_model=schemas.AgentReplyOut)
def send_message(
    conversation_id: ConversationId, body: schemas.AgentReplyIn, agent: AgentAccount = Agent, unit: Unit = Work,
    settings: ApiSettings = Depends(get_settings),
):
    """Checked by the same rules the assistant obeys: 422 reply_blocked or 409 reply_needs_confirmation
    (send again with `confirmed`) carry `check`, the reasons and an approved rewording."""
    return desk.reply(unit, conversation_id, agent, body, settings.max_message_chars)


@router.post("/conversations/{conversation_id}/check", response_model=schemas.CheckOut)
def check_reply(conversation_id: ConversationId, body: schemas.CheckIn, agent: AgentAccount = Agent, unit: Unit = Work):
    """The guard's verdict on a draft, before it is sent; nothing is recorded."""
    return desk.check(unit, conversation_id, agent, body.text)


@router.get("/conversations/{conversation_id}/assist", response_model=schemas.AssistOut)
async def assist(conversation_id: ConversationId, agent: AgentAccount = Agent, gateway: ChatGateway = Depends(get_gateway)):
    """Assist for the cardholder's latest message (the same as the live `assist` frame); holder or supervisor."""
    latest = await gateway.run(desk.latest_customer_text, conversation_id, agent)
    parse = await gateway.read(conversation_id, latest[1]) if latest else None
    return await gateway.run(desk.assist_for, conversation_id, agent, parse, latest[0] if latest else None)


@router.get("/conversations/{conversation_id}/wrap-up", response_model=schemas.WrapUpOut)
def wrap_up(conversation_id: ConversationId, outcome: OutcomeKey, agent: AgentAccount = Agent, unit: Unit = Work):
    """The contact-log note drafted for the agent to confirm when closing."""
    return desk.wrap_up(unit, conversation_id, agent, outcome)


@router.get("/calculator", response_model=schemas.QuoteOut)
def calculator(amount: QuoteAmount, term_months: QuoteTerm, _agent: AgentAccount = Agent):
    return desk.quote(amount, term_months)


@router.get("/knowledge", response_model=schemas.KnowledgePage)
def knowledge(q: KnowledgeQuery, _agent: AgentAccount = Agent):
    """The assistant's answers and the approved phrases that match `q` (Chinese words)."""
    return desk.knowledge(q)


@router.get("/assist-report", response_model=schemas.AssistReport)
def assist_report(days: ReportDays = 7, _supervisor: AgentAccount = Supervisor, unit: Unit = Work):
    """Supervisors: suggestions shown, used, edited and ignored; replies blocked, warned and overridden."""
    return desk.assist_report(unit, days)


@router.get("/labels", response_model=schemas.LabelsOut)
def console_labels(_agent: AgentAccount = Agent):
    """Every label the console shows, once."""
    return desk.labels_view()


@router.post("/conversations/{conversation_id}/notes", response_model=schemas.NoteEnvelope)
def add_note(
    conversation_id: ConversationId, body: schemas.TextIn, agent: AgentAccount = Agent, unit: Unit = Work,
    settings: ApiSettings = Depends(get_settings),
):
    return schemas.NoteEnvelope(note=desk.note(unit, conversation_id, agent, body.text, settings.max_message_chars))


@router.post("/conversations/{conversation_id}/release", response_model=schemas.StateEnvelope)
async def release(conversation_id: ConversationId, agent: AgentAccount = Agent, gateway: ChatGateway = Depends(get_gateway)):
    """Back to the assistant; 503 (and nothing changes) if Rasa cannot be resumed."""
    return schemas.StateEnvelope(state=await gateway.release(conversation_id, agent.id))


@router.post("/conversations/{conversation_id}/close", response_model=schemas.StateEnvelope)
def close(conversation_id: ConversationId, body: schemas.CloseIn, agent: AgentAccount = Agent, unit: Unit = Work):
    return schemas.StateEnvelope(state=desk.close(unit, conversation_id, agent, body.outcome, body.note))


@router.post("/conversations/{conversation_id}/promise", response_model=schemas.PromiseOut)
def promise(conversation_id: ConversationId, body: schemas.PromiseIn, agent: AgentAccount = Agent, unit: Unit = Work):
    return desk.promise(unit, conversation_id, agent, body.amount, body.date)


@router.post("/conversations/{conversation_id}/plan", response_model=schemas.PlanOut)
def plan(conversation_id: ConversationId, body: schemas.PlanIn, agent: AgentAccount = Agent, unit: Unit = Work):
    return desk.plan(unit, conversation_id, agent, body.term_months)


@router.post("/conversations/{conversation_id}/dispute", response_model=schemas.ReferenceOut)
def dispute(conversation_id: ConversationId, body: schemas.DisputeIn, agent: AgentAccount = Agent, unit: Unit = Work):
    return desk.dispute(unit, conversation_id, agent, body.description, body.amount)


@router.post("/complaints/{complaint_id}/resolve", response_model=schemas.ReferenceOut)
def resolve_complaint(complaint_id: ComplaintKey, body: schemas.ResolveIn, agent: AgentAccount = Agent, unit: Unit = Work):
    """`complaint_id` is the complaint's number or its reference (CMP...)."""
    return desk.resolve_complaint(unit, complaint_id, agent, body.resolution)


@router.get("/agents", response_model=schemas.AgentsPage)
def agents(_supervisor: AgentAccount = Supervisor, unit: Unit = Work):
    return desk.agents(unit)


@router.websocket("/ws")
async def agent_socket(websocket: WebSocket):
    """The first frame authenticates: {"type": "auth", "token": ...}."""
    await serve_agent(websocket, websocket.app.state.gateway, websocket.app.state.settings)
