"""Request and response bodies (pydantic v1). Every input is bounded, so bad input is a 422, never a 500."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, List, Literal, Optional

from pydantic import BaseModel, Field, condecimal, conint

Mode = Literal["bot", "waiting", "agent", "closed", "callback"]
Sender = Literal["customer", "bot", "agent", "system"]
MAX_ID = 2**31 - 1  # the largest row id every supported database stores
MAX_TEXT = 20_000  # beyond the service's own limit (which answers 413), a body is refused outright
Amount = condecimal(max_digits=12, decimal_places=2)  # up to 9,999,999,999.99 yuan; the rules judge the sign


class Button(BaseModel):
    title: str
    payload: str


class Message(BaseModel):
    id: int
    conversation_id: str
    sender: Sender
    text: str
    buttons: List[Button] = []
    created_at: datetime
    agent_name: Optional[str] = None


class State(BaseModel):
    mode: Mode
    queue_position: Optional[int] = None
    estimated_wait_minutes: Optional[int] = None
    agent_name: Optional[str] = None


# bank site (demo)
class BankLogin(BaseModel):
    customer_id: str = Field(..., max_length=32)
    password: str = Field(..., max_length=256)


class BankSession(BaseModel):
    token: str
    customer_id: str
    name_masked: str
    expires_at: datetime


class DemoCustomer(BaseModel):
    customer_id: str
    name_masked: str
    card_last4: Optional[str]


# chat
class ConversationStarted(BaseModel):
    conversation_id: str
    token: str
    verified_customer: bool


class CustomerMessageIn(BaseModel):
    text: str = Field(..., max_length=MAX_TEXT, description="length is checked by the service, which answers with a code")
    client_id: Optional[str] = Field(None, max_length=64)


class MessageEnvelope(BaseModel):
    message: Message


class MessagesPage(BaseModel):
    messages: List[Message]
    state: State


# agent console
class AgentLogin(BaseModel):
    username: str = Field(..., max_length=32)
    password: str = Field(..., max_length=256)


class AgentSession(BaseModel):
    token: str
    username: str
    display_name: str
    role: Literal["agent", "supervisor"]
    expires_at: datetime


class QueueItem(BaseModel):
    handoff_id: int
    conversation_id: Optional[str]
    reference: str
    reason: str
    priority: int
    status: Literal["waiting", "claimed", "closed"]
    waiting_seconds: int
    verified: bool
    customer_masked: Optional[str]
    total_due: Optional[str]
    sentiment: Optional[str]
    assigned_agent: Optional[str]
    callback: bool


class QueuePage(BaseModel):
    items: List[QueueItem]


class Note(BaseModel):
    id: int
    agent: str
    text: str
    created_at: datetime


class ConversationDetail(BaseModel):
    conversation_id: str
    state: State
    handoff: Optional[QueueItem]
    summary: dict[str, Any]
    messages: List[Message]
    notes: List[Note]


class ConversationEnvelope(BaseModel):
    conversation: ConversationDetail


class TextIn(BaseModel):
    text: str = Field(..., max_length=MAX_TEXT)


class NoteEnvelope(BaseModel):
    note: Note


class StateEnvelope(BaseModel):
    state: State


class CloseIn(BaseModel):
    outcome: str = Field(..., min_length=1, max_length=200)


class PromiseIn(BaseModel):
    amount: Amount  # type: ignore[valid-type]
    date: date


class PromiseOut(BaseModel):
    reference: str
    amount: str
    date: date
    below_minimum: bool
    clears_balance: bool


class PlanIn(BaseModel):
    term_months: conint(ge=1, le=600)  # type: ignore[valid-type]


class PlanOut(BaseModel):
    reference: str
    term_months: int
    principal: str
    monthly_payment: str
    last_payment: str
    total_fee: str
    annual_rate: str


class DisputeIn(BaseModel):
    description: str = Field(..., min_length=1, max_length=2000)
    amount: Optional[Amount] = None  # type: ignore[valid-type]


class ResolveIn(BaseModel):
    resolution: str = Field(..., min_length=1, max_length=2000)


class ReferenceOut(BaseModel):
    reference: str


class AgentSummary(BaseModel):
    username: str
    display_name: str
    role: Literal["agent", "supervisor"]
    active_conversations: int


class AgentsPage(BaseModel):
    items: List[AgentSummary]


class AssignIn(BaseModel):
    username: str = Field(..., max_length=32)
