"""Bank-data tables. Personal data (names, card and ID numbers) lives only here, unmasked."""
from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declarative_base, relationship

from bot.data.types import Money, Rate

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class CardStatus(str, enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class CaseStatus(str, enum.Enum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    RESOLVED = "resolved"
    REJECTED = "rejected"


class Cardholder(Base):
    __tablename__ = "cardholders"
    id: Mapped[int] = Column(Integer, primary_key=True)
    customer_id: Mapped[str] = Column(String(32), unique=True, nullable=False, index=True)
    name: Mapped[str] = Column(String(64), nullable=False)
    id_number: Mapped[str] = Column(String(18), nullable=False)
    phone: Mapped[str] = Column(String(20), nullable=False)
    do_not_contact_family: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    accounts: Mapped[list["CardAccount"]] = relationship("CardAccount", back_populates="cardholder")

    @property
    def id_last6(self) -> str:
        return self.id_number[-6:].upper()


class CardAccount(Base):
    __tablename__ = "card_accounts"
    id: Mapped[int] = Column(Integer, primary_key=True)
    cardholder_id: Mapped[int] = Column(ForeignKey("cardholders.id"), nullable=False, index=True)
    card_number: Mapped[str] = Column(String(19), unique=True, nullable=False)
    card_last4: Mapped[str] = Column(String(4), nullable=False, index=True)
    status: Mapped[CardStatus] = Column(Enum(CardStatus, native_enum=False, length=16), nullable=False)
    credit_limit: Mapped[Decimal] = Column(Money, nullable=False)
    cardholder: Mapped[Cardholder] = relationship("Cardholder", back_populates="accounts")
    statements: Mapped[list["Statement"]] = relationship("Statement", back_populates="account", order_by="Statement.statement_date")
    payments: Mapped[list["Payment"]] = relationship("Payment", back_populates="account", order_by="Payment.paid_at")


class Statement(Base):
    __tablename__ = "statements"
    id: Mapped[int] = Column(Integer, primary_key=True)
    account_id: Mapped[int] = Column(ForeignKey("card_accounts.id"), nullable=False, index=True)
    statement_date: Mapped[date] = Column(Date, nullable=False)
    due_date: Mapped[date] = Column(Date, nullable=False)
    balance: Mapped[Decimal] = Column(Money, nullable=False)
    minimum_payment: Mapped[Decimal] = Column(Money, nullable=False)
    account: Mapped[CardAccount] = relationship("CardAccount", back_populates="statements")


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[int] = Column(Integer, primary_key=True)
    account_id: Mapped[int] = Column(ForeignKey("card_accounts.id"), nullable=False, index=True)
    amount: Mapped[Decimal] = Column(Money, nullable=False)
    paid_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False)
    channel: Mapped[str] = Column(String(32), nullable=False)
    posted: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    account: Mapped[CardAccount] = relationship("CardAccount", back_populates="payments")


class _Recorded:
    """Columns every record made in a conversation carries: a reference and where it came from."""

    id: Mapped[int] = Column(Integer, primary_key=True)
    reference: Mapped[str] = Column(String(32), unique=True, nullable=False)
    conversation_id: Mapped[str | None] = Column(String(128), index=True)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class InstallmentPlanRecord(_Recorded, Base):
    __tablename__ = "installment_plans"
    account_id: Mapped[int] = Column(ForeignKey("card_accounts.id"), nullable=False, index=True)
    principal: Mapped[Decimal] = Column(Money, nullable=False)
    term_months: Mapped[int] = Column(Integer, nullable=False)
    monthly_fee_rate: Mapped[Decimal] = Column(Rate, nullable=False)
    monthly_payment: Mapped[Decimal] = Column(Money, nullable=False)
    last_payment: Mapped[Decimal] = Column(Money, nullable=False)
    total_fee: Mapped[Decimal] = Column(Money, nullable=False)
    annual_rate: Mapped[Decimal] = Column(Rate, nullable=False)
    status: Mapped[str] = Column(String(16), nullable=False, default="active")
    created_by: Mapped[str] = Column(String(64), nullable=False, default="assistant")


class PromiseToPay(_Recorded, Base):
    __tablename__ = "promises_to_pay"
    account_id: Mapped[int] = Column(ForeignKey("card_accounts.id"), nullable=False, index=True)
    amount: Mapped[Decimal] = Column(Money, nullable=False)
    promised_date: Mapped[date] = Column(Date, nullable=False)
    below_minimum: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    status: Mapped[str] = Column(String(16), nullable=False, default="open")
    created_by: Mapped[str] = Column(String(64), nullable=False, default="assistant")


class DisputeCase(_Recorded, Base):
    """A contested charge, or a payment the cardholder made that cannot be found (payment trace)."""

    __tablename__ = "dispute_cases"
    account_id: Mapped[int] = Column(ForeignKey("card_accounts.id"), nullable=False, index=True)
    kind: Mapped[str] = Column(String(16), nullable=False)  # charge | payment_trace
    description: Mapped[str] = Column(Text, nullable=False)
    amount: Mapped[Decimal | None] = Column(Money)
    status: Mapped[CaseStatus] = Column(Enum(CaseStatus, native_enum=False, length=16), nullable=False, default=CaseStatus.OPEN)


class Complaint(_Recorded, Base):
    __tablename__ = "complaints"
    cardholder_id: Mapped[int | None] = Column(ForeignKey("cardholders.id"), index=True)
    category: Mapped[str] = Column(String(32), nullable=False)  # harassment | third_party_contact | attitude | other
    description: Mapped[str] = Column(Text, nullable=False)
    do_not_contact_family: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    status: Mapped[CaseStatus] = Column(Enum(CaseStatus, native_enum=False, length=16), nullable=False, default=CaseStatus.OPEN)
    resolution: Mapped[str | None] = Column(Text)


class HardshipApplication(_Recorded, Base):
    """A request for a personalized installment (个性化分期), decided by an agent."""

    __tablename__ = "hardship_applications"
    account_id: Mapped[int] = Column(ForeignKey("card_accounts.id"), nullable=False, index=True)
    reason: Mapped[str] = Column(Text, nullable=False)
    requested_term_months: Mapped[int | None] = Column(Integer)
    monthly_budget: Mapped[Decimal | None] = Column(Money)
    income_return: Mapped[str | None] = Column(Text)  # when they expect their income back, in their words
    status: Mapped[CaseStatus] = Column(Enum(CaseStatus, native_enum=False, length=16), nullable=False, default=CaseStatus.IN_REVIEW)


class FeeWaiverRequest(_Recorded, Base):
    __tablename__ = "fee_waiver_requests"
    account_id: Mapped[int] = Column(ForeignKey("card_accounts.id"), nullable=False, index=True)
    interest_at_request: Mapped[Decimal] = Column(Money, nullable=False)
    late_fee_at_request: Mapped[Decimal] = Column(Money, nullable=False)
    reason: Mapped[str | None] = Column(Text)
    status: Mapped[CaseStatus] = Column(Enum(CaseStatus, native_enum=False, length=16), nullable=False, default=CaseStatus.IN_REVIEW)


class ContactPreference(_Recorded, Base):
    """How and when a cardholder asked to be contacted, in their own words, for collections to follow."""

    __tablename__ = "contact_preferences"
    cardholder_id: Mapped[int] = Column(ForeignKey("cardholders.id"), nullable=False, index=True)
    request: Mapped[str] = Column(Text, nullable=False)
    status: Mapped[str] = Column(String(16), nullable=False, default="active")


class CertificateRequest(_Recorded, Base):
    """A request for a settlement certificate, a non-malicious-overdue certificate or a credit-report objection."""

    __tablename__ = "certificate_requests"
    account_id: Mapped[int] = Column(ForeignKey("card_accounts.id"), nullable=False, index=True)
    kind: Mapped[str] = Column(String(24), nullable=False)  # settlement | non_malicious | credit_objection
    request: Mapped[str] = Column(Text, nullable=False)
    status: Mapped[CaseStatus] = Column(Enum(CaseStatus, native_enum=False, length=16), nullable=False, default=CaseStatus.OPEN)


class CollectorReport(_Recorded, Base):
    """A cardholder asking whether a call, message or letter really came from the bank."""

    __tablename__ = "collector_reports"
    cardholder_id: Mapped[int | None] = Column(ForeignKey("cardholders.id"), index=True)
    description: Mapped[str] = Column(Text, nullable=False)
    status: Mapped[CaseStatus] = Column(Enum(CaseStatus, native_enum=False, length=16), nullable=False, default=CaseStatus.OPEN)


class HandoffRequest(_Recorded, Base):
    """The bot asks a human agent to take over a conversation; `summary` holds no raw personal data."""

    __tablename__ = "handoff_requests"
    cardholder_id: Mapped[int | None] = Column(ForeignKey("cardholders.id"), index=True)
    reason: Mapped[str] = Column(String(32), nullable=False)
    priority: Mapped[int] = Column(Integer, nullable=False, default=0)
    summary: Mapped[dict] = Column(JSON, nullable=False)
    status: Mapped[str] = Column(String(16), nullable=False, default="waiting")  # waiting | claimed | closed
    callback_requested: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    assigned_agent_id: Mapped[int | None] = Column(
        ForeignKey("agent_accounts.id", name="fk_handoff_requests_assigned_agent_id"), index=True
    )
    claimed_at: Mapped[datetime | None] = Column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = Column(DateTime(timezone=True))
    outcome: Mapped[str | None] = Column(Text)
    assigned_agent: Mapped["AgentAccount | None"] = relationship("AgentAccount")
    cardholder: Mapped["Cardholder | None"] = relationship("Cardholder")


class ContactLog(Base):
    """One row per conversation: regulation asks every collection contact to be recorded."""

    __tablename__ = "contact_log"
    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(128), unique=True, nullable=False)
    channel: Mapped[str] = Column(String(32), nullable=False)
    started_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    cardholder_id: Mapped[int | None] = Column(ForeignKey("cardholders.id"), index=True)
    verified: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    intents: Mapped[list] = Column(JSON, nullable=False, default=list)
    outcome: Mapped[str] = Column(String(32), nullable=False, default="open")
    note: Mapped[str | None] = Column(Text)  # the agent's confirmed wrap-up, personal data masked
    noted_by: Mapped[int | None] = Column(ForeignKey("agent_accounts.id"))
    # Derived by the event consumer (bot.events) from Rasa's events; None until it has seen one.
    first_event_at: Mapped[datetime | None] = Column(DateTime(timezone=True))
    last_event_at: Mapped[datetime | None] = Column(DateTime(timezone=True))
    user_turns: Mapped[int | None] = Column(Integer)


class ConversationEvent(Base):
    """One Rasa tracker event the event consumer has taken in, so a redelivered one is recognized.

    Only what the figures need: the kind and a name (the intent of a user event, the action, the
    slot or the response template), never a message's text or a slot's value.
    """

    __tablename__ = "conversation_events"
    __table_args__ = (Index("ix_conversation_events_conversation_time", "conversation_id", "occurred_at"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    event_key: Mapped[str] = Column(String(64), unique=True, nullable=False)  # sha256 hex of the event's identity
    conversation_id: Mapped[str] = Column(String(128), nullable=False)
    kind: Mapped[str] = Column(String(32), nullable=False)  # user | action | slot | bot | ...
    name: Mapped[str | None] = Column(String(128))
    occurred_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False)
    consumed_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class AgentAccount(Base):
    """A person at the agent console; `role` is agent or supervisor, the password is only stored hashed."""

    __tablename__ = "agent_accounts"
    id: Mapped[int] = Column(Integer, primary_key=True)
    username: Mapped[str] = Column(String(32), unique=True, nullable=False)
    display_name: Mapped[str] = Column(String(64), nullable=False)
    role: Mapped[str] = Column(String(16), nullable=False, default="agent")
    password_hash: Mapped[str] = Column(String(256), nullable=False)
    active: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Conversation(Base):
    """One chat on the bank site; its id is also the Rasa sender id.

    `mode` routes the cardholder's messages: bot (to Rasa), waiting or callback (queued for a
    person), agent (to the agent holding it), closed (no more messages).
    """

    __tablename__ = "conversations"
    id: Mapped[str] = Column(String(128), primary_key=True)
    cardholder_id: Mapped[int | None] = Column(ForeignKey("cardholders.id"), index=True)
    mode: Mapped[str] = Column(String(16), nullable=False, default="bot")
    # The assistant's last question asked for verification digits: the next answer is masked.
    expects_secret: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    # A keyed hash of the address the conversation was opened from (wrong answers count per address).
    client_key: Mapped[str | None] = Column(String(64))
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    cardholder: Mapped["Cardholder | None"] = relationship("Cardholder")


class ChatMessage(Base):
    """Every message of a conversation, stored before it is forwarded; ids only ever increase."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "client_id", name="uq_chat_messages_conversation_client"),
    )
    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = Column(ForeignKey("conversations.id"), nullable=False, index=True)
    sender: Mapped[str] = Column(String(16), nullable=False)  # customer | bot | agent | system
    text: Mapped[str] = Column(Text, nullable=False, default="")
    buttons: Mapped[list] = Column(JSON, nullable=False, default=list)
    client_id: Mapped[str | None] = Column(String(64))
    # A cardholder's message on its way to the assistant: "pending" until Rasa answered it (or
    # it was routed elsewhere), then "done"; a lease keeps two forwarders from sending it twice.
    forward_state: Mapped[str | None] = Column(String(16), index=True)
    forward_lease_until: Mapped[datetime | None] = Column(DateTime(timezone=True))
    # A verification answer (card or ID digits): stored masked once the assistant has read it.
    secret: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    agent_id: Mapped[int | None] = Column(ForeignKey("agent_accounts.id"))
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    agent: Mapped["AgentAccount | None"] = relationship("AgentAccount")


class AgentNote(Base):
    """An agent's internal note on a conversation; never shown to the cardholder."""

    __tablename__ = "agent_notes"
    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(ForeignKey("conversations.id"), nullable=False, index=True)
    agent_id: Mapped[int] = Column(ForeignKey("agent_accounts.id"), nullable=False)
    text: Mapped[str] = Column(Text, nullable=False)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    agent: Mapped[AgentAccount] = relationship("AgentAccount")


class ConversationIdentity(Base):
    """Who a conversation is verified as, written only by the verification code, with an expiry.

    Actions and the agent desk read identity from here, never from a slot a tracker carries.
    The pending answers hold the first of the two answers until the other arrives (in either
    order), so the tracker store keeps neither.
    """

    __tablename__ = "conversation_identities"
    conversation_id: Mapped[str] = Column(String(128), primary_key=True)
    cardholder_id: Mapped[int | None] = Column(ForeignKey("cardholders.id"), index=True)
    method: Mapped[str | None] = Column(String(16))  # bank_session | card_and_id
    verified_at: Mapped[datetime | None] = Column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = Column(DateTime(timezone=True))
    pending_card_last4: Mapped[str | None] = Column(String(4))
    pending_id_last6: Mapped[str | None] = Column(String(6))
    cardholder: Mapped["Cardholder | None"] = relationship("Cardholder")


class VerificationFailure(Base):
    """One wrong answer to the identity questions, counted per card, conversation and client."""

    __tablename__ = "verification_failures"
    __table_args__ = (Index("ix_verification_failures_scope_key_time", "scope", "key", "failed_at"),)
    id: Mapped[int] = Column(Integer, primary_key=True)
    scope: Mapped[str] = Column(String(16), nullable=False)  # card | conversation | client
    key: Mapped[str] = Column(String(128), nullable=False)
    failed_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class AssistEvent(Base):
    """What an agent did with the assistant's help, for measuring it and for the supervisor:
    a suggestion shown, used as is, edited or ignored; a reply the guard blocked or warned about,
    and a warning the agent overrode. `detail` holds rule names and masked excerpts, never raw text."""

    __tablename__ = "assist_events"
    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(128), nullable=False, index=True)
    agent_id: Mapped[int] = Column(ForeignKey("agent_accounts.id"), nullable=False, index=True)
    kind: Mapped[str] = Column(String(16), nullable=False)  # suggestion | guard
    action: Mapped[str] = Column(String(16), nullable=False)  # shown | used | edited | ignored | blocked | warned | overridden
    item: Mapped[str] = Column(String(64), nullable=False)  # the suggestion's id, or the guard's rules
    detail: Mapped[dict] = Column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    agent: Mapped["AgentAccount"] = relationship("AgentAccount")


class ReviewMark(Base):
    """A trainer's mark on a conversation of the tracker store (which the bank database does not hold):
    flagged for attention, tagged, reviewed. One row per conversation, written on the first mark."""

    __tablename__ = "review_marks"
    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(128), unique=True, nullable=False)
    flagged: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    tags: Mapped[list] = Column(JSON, nullable=False, default=list)
    reviewed: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    reviewed_by: Mapped[int | None] = Column(ForeignKey("agent_accounts.id", name="fk_review_marks_reviewed_by"))
    updated_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class TrainingAuditEntry(Base):
    """What a trainer changed and when (an example added, a model activated...), so every change to
    what the assistant understands can be traced to a person; `detail` is masked before it is stored."""

    __tablename__ = "training_audit"
    id: Mapped[int] = Column(Integer, primary_key=True)
    actor: Mapped[str] = Column(String(64), nullable=False)
    at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    action: Mapped[str] = Column(String(32), nullable=False, index=True)
    target: Mapped[str] = Column(String(255), nullable=False, default="")
    detail: Mapped[dict] = Column(JSON, nullable=False, default=dict)


class ImportedMessage(Base):
    """A message imported for labelling (from a file, or what cardholders wrote before a handoff),
    masked before it is stored; a trainer gives it an intent, then adds it to the data or ignores it."""

    __tablename__ = "imported_messages"
    id: Mapped[int] = Column(Integer, primary_key=True)
    batch: Mapped[str] = Column(String(32), nullable=False, index=True)
    source: Mapped[str] = Column(String(16), nullable=False)  # file | handoff
    text: Mapped[str] = Column(Text, nullable=False)
    label: Mapped[str | None] = Column(String(64))  # the intent the file gave, if any
    annotated_intent: Mapped[str | None] = Column(String(64))
    entities: Mapped[list] = Column(JSON, nullable=False, default=list)
    created_by: Mapped[str] = Column(String(64), nullable=False)
    created_at: Mapped[datetime] = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    status: Mapped[str] = Column(String(16), nullable=False, default="new", index=True)  # new | added | ignored
