"""Request and response bodies (pydantic v1). Every input is bounded, so bad input is a 422, never a 500."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, List, Literal, Optional

from pydantic import BaseModel, Field, condecimal, conint, constr

Mode = Literal["bot", "waiting", "agent", "closed", "callback"]
Sender = Literal["customer", "bot", "agent", "system"]
MAX_ID = 2**31 - 1  # the largest row id every supported database stores
MAX_TEXT = 20_000  # beyond the service's own limit (which answers 413), a body is refused outright
Amount = condecimal(max_digits=12, decimal_places=2)  # up to 9,999,999,999.99 yuan; the rules judge the sign


class Schema(BaseModel):
    """Every body. pydantic 1 leaves `null` out of an Optional field's JSON schema; clients (and
    the schema tests) must read that such a field can be null, so the schema says so."""

    class Config:
        @staticmethod
        def schema_extra(schema: dict[str, Any], model: type[BaseModel]) -> None:
            for field in model.__fields__.values():
                prop = schema.get("properties", {}).get(field.alias)
                if field.allow_none and prop is not None and "anyOf" not in prop:
                    title = prop.pop("title", None)
                    schema["properties"][field.alias] = {"anyOf": [prop, {"type": "null"}],
                                                         **({"title": title} if title else {})}


class ErrorDetail(Schema):
    code: str = Field(..., description="stable, for programs")
    message: str = Field(..., description="in Chinese, for the person in front of the page")
    fields: Optional[List[str]] = Field(None, description="with invalid_request: the fields that were wrong")


class ErrorBody(Schema):
    """Every refusal: {"detail": {"code": ..., "message": ...}} (api.core.errors)."""

    detail: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description} for status, description in (
        (401, "not signed in, or the token is invalid or expired"), (403, "not allowed"),
        (404, "no such thing"), (409, "the state does not allow it"), (413, "message too long"),
        (422, "invalid input"), (429, "too many requests; see Retry-After"), (503, "the assistant is unreachable"),
    )
}


class Button(Schema):
    title: str
    payload: str


class Message(Schema):
    id: int
    conversation_id: str
    sender: Sender
    text: str
    buttons: List[Button] = []
    created_at: datetime
    agent_name: Optional[str] = None


class State(Schema):
    mode: Mode
    queue_position: Optional[int] = None
    estimated_wait_minutes: Optional[int] = None
    agent_name: Optional[str] = None


# bank site (demo)
class BankLogin(Schema):
    customer_id: str = Field(..., max_length=32)
    password: str = Field(..., max_length=256)


class BankSession(Schema):
    token: str
    customer_id: str
    name_masked: str
    expires_at: datetime


class DemoCustomer(Schema):
    customer_id: str
    name_masked: str
    card_last4: Optional[str]


# chat
class ConversationStarted(Schema):
    conversation_id: str
    token: str
    verified_customer: bool


class CustomerMessageIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT, description="length is checked by the service, which answers with a code")
    client_id: Optional[str] = Field(None, max_length=64)


class MessageEnvelope(Schema):
    message: Message


class MessagesPage(Schema):
    messages: List[Message]
    state: State


# agent console
class AgentLogin(Schema):
    username: str = Field(..., max_length=32)
    password: str = Field(..., max_length=256)


class AgentSession(Schema):
    token: str
    username: str
    display_name: str
    role: Literal["agent", "supervisor", "trainer"]
    expires_at: datetime


class QueueItem(Schema):
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


class QueuePage(Schema):
    items: List[QueueItem]


class Note(Schema):
    id: int
    agent: str
    text: str
    created_at: datetime


class ConversationDetail(Schema):
    conversation_id: str
    state: State
    handoff: Optional[QueueItem]
    summary: dict[str, Any]
    messages: List[Message]
    notes: List[Note]


class ConversationEnvelope(Schema):
    conversation: ConversationDetail


class TextIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT)


class NoteEnvelope(Schema):
    note: Note


class StateEnvelope(Schema):
    state: State


class CloseIn(Schema):
    outcome: str = Field(..., min_length=1, max_length=200)
    note: Optional[str] = Field(None, max_length=4000, description="the wrap-up note the agent confirmed")


class PromiseIn(Schema):
    amount: Amount  # type: ignore[valid-type]
    date: date


class PromiseOut(Schema):
    reference: str
    amount: str
    date: date
    below_minimum: bool
    clears_balance: bool


class PlanIn(Schema):
    term_months: conint(ge=1, le=600)  # type: ignore[valid-type]


class PlanFigures(Schema):
    term_months: int
    principal: str
    monthly_payment: str
    last_payment: str
    total_fee: str
    annual_rate: str


class PlanOut(PlanFigures):
    reference: str


class DisputeIn(Schema):
    description: str = Field(..., min_length=1, max_length=2000)
    amount: Optional[Amount] = None  # type: ignore[valid-type]


class ResolveIn(Schema):
    resolution: str = Field(..., min_length=1, max_length=2000)


class ReferenceOut(Schema):
    reference: str


class AgentSummary(Schema):
    username: str
    display_name: str
    role: Literal["agent", "supervisor", "trainer"]
    active_conversations: int


class AgentsPage(Schema):
    items: List[AgentSummary]


class AssignIn(Schema):
    username: str = Field(..., max_length=32)


# agent assist
class AgentReplyIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT)
    suggestion_id: Optional[str] = Field(None, max_length=64, description="the suggestion the agent inserted, if any")
    suggestion_text: Optional[str] = Field(None, max_length=MAX_TEXT, description="its text as inserted")
    confirmed: bool = Field(False, description="send despite a warning (never despite a block)")


class CheckIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT)


class Finding(Schema):
    rule: str
    excerpt: str


class CheckOut(Schema):
    """The guard's verdict: ok, warn (may be sent once confirmed) or block (never sent as written)."""

    verdict: Literal["ok", "warn", "block"]
    findings: List[Finding]
    reasons: List[str]
    rewording: Optional[str] = None


class AgentReplyOut(Schema):
    message: Message
    check: CheckOut


class EntityOut(Schema):
    entity: str
    value: str = Field(..., description="normalized: yuan, ISO date, months")
    shown: str = Field(..., description="as a person reads it: 2,000.00元, 12月11日, 12期")


class ReadingOut(Schema):
    """What the cardholder's message means; `intent` is null when the model is unsure."""

    intent: Optional[str]
    confidence: float
    entities: List[EntityOut]
    sentiment: str


class SuggestionOut(Schema):
    id: str
    text: str


class OfferOut(Schema):
    kind: str
    figures: dict[str, Any]
    disclosure: Optional[str] = None


class AssistOut(Schema):
    conversation_id: str
    message_id: Optional[int]
    reading: Optional[ReadingOut]
    suggestions: List[SuggestionOut]
    offer: OfferOut
    summary: dict[str, Any]


class WrapUpOut(Schema):
    note: str


class QuoteOut(PlanFigures):
    """A standard plan for any amount and term in the rules, with the sentence that discloses it."""

    total_repayment: str
    disclosure: str


class KnowledgeHit(Schema):
    id: str
    text: str


class KnowledgePage(Schema):
    items: List[KnowledgeHit]


class LabelsOut(Schema):
    """Every label the console shows, keyed by the names the API sends."""

    intents: dict[str, str]
    unsure_intent: str
    entities: dict[str, str]
    sentiments: dict[str, str]
    reasons: dict[str, str]
    modes: dict[str, str]
    handoff_statuses: dict[str, str]
    case_kinds: dict[str, str]
    case_statuses: dict[str, str]
    complaint_categories: dict[str, str]
    outcomes: dict[str, str]
    offers: dict[str, str]
    offer_figures: dict[str, str]
    figures: dict[str, str]
    guard_reasons: dict[str, str]
    standard_terms: List[int] = Field(..., description="the calculator's terms, from the product rules")


class SuggestionFigures(Schema):
    id: str
    shown: int
    used: int
    edited: int
    ignored: int


class GuardEvent(Schema):
    agent: str
    conversation_id: str
    action: Literal["blocked", "warned", "overridden"]
    rules: List[str]
    excerpts: List[str]
    at: datetime


class AssistReport(Schema):
    """How suggestions fare and every reply the guard stopped or an agent sent despite a warning."""

    suggestions: List[SuggestionFigures]
    guard: List[GuardEvent]


# --- the trainers' workbench -------------------------------------------------------------

class MarkIn(Schema):
    """What a trainer notes on a conversation; a field left out is left as it is."""

    flagged: Optional[bool] = None
    tags: Optional[List[constr(min_length=1, max_length=32, strip_whitespace=True)]] = Field(None, max_items=20)
    reviewed: Optional[bool] = None


class EntitySpan(Schema):
    """An entity in an example: characters start..end of its text, and its normalized value if any."""

    start: conint(ge=0, le=500)
    end: conint(ge=1, le=500)
    entity: constr(regex=r"^[a-z_0-9]{1,64}$")
    value: Optional[constr(max_length=100)] = None


class ExampleIn(Schema):
    """A message to add under `intent` (moved there if another intent holds it)."""

    text: constr(min_length=1, max_length=500, strip_whitespace=True)
    intent: constr(regex=r"^[a-z_0-9]{1,64}(/[a-z_0-9]{1,64})?$")
    entities: List[EntitySpan] = Field(default_factory=list, max_items=20)
    import_id: Optional[conint(ge=1, le=MAX_ID)] = Field(None, description="the imported message this example settles")


class EvaluationIn(Schema):
    model: Optional[constr(regex=r"^[A-Za-z0-9_.-]{1,100}$")] = Field(None, description="a workbench model; default the newest")
    cross_validation_folds: Optional[conint(ge=2, le=10)] = None
