"""The chat gateway: every cardholder message is stored, then routed by the conversation's mode.

bot      -> Rasa; its replies are stored and pushed; a reply carrying {"handoff": ...} queues the
            conversation. If Rasa is down, slow or failing, a person is asked to follow up.
waiting, callback -> Rasa too: the assistant keeps answering while the cardholder waits.
agent    -> the agent holding the conversation only; Rasa never sees them until the agent hands back.
closed   -> taken up again by the assistant: a cardholder is never left without an answer.
Messages of one conversation go to Rasa one at a time, in the order they were stored, each
exactly once (bot.services.delivery): stored "pending", leased, answered, marked "done".
Replies can carry custom payloads from the assistant: {"handoff": ...}, {"verification_answer":
true} (the message just answered held identity digits: keep it masked) and {"expects":
"verification"} (the next message will hold them).
"""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, AsyncIterator, Callable, Coroutine, TypeVar

from fastapi.encoders import jsonable_encoder
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from api import schemas
from api.core.identity import CustomerIdentity
from api.services.hub import Hub
from api.services.outbox import Database, Unit, unit_of_work
from api.services.rasa_client import RasaClient, RasaUnavailable
from api.services.views import assist_view, message_view, state_view
from bot.clock import bank_today
from bot.data.models import AgentAccount
from bot.domain.agent_phrases import load_phrases
from bot.domain.product_rules import load_rules
from bot.services import agent_desk, assist, delivery
from bot.services.conversations import (
    MessageLimits,
    accept_customer_message,
    answered_by_assistant,
    add_message,
    follow_handoff,
    get_conversation,
    handoff_by_reference,
    messages_after,
    report_assistant_unavailable,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
# a pause before asking again, so the balancer has marked the instance that died as down
RASA_RETRY_PAUSE_S = 0.5
VERIFICATION_ANSWER, EXPECTS, LIST_ITEM = "verification_answer", "expects", "list_item"


def bubbles(replies: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, str]]]]:
    """What the cardholder sees: one bubble per reply, except that a reply marked {"list_item":
    true} (a plan, a rate, a case) is a line of the bubble before it, so a table reads as one."""
    shown: list[tuple[str, list[dict[str, str]]]] = []
    for reply in replies:
        text = str(reply.get("text") or "")
        buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                   for b in reply.get("buttons") or [] if isinstance(b, dict)]
        custom = reply.get("custom") if isinstance(reply.get("custom"), dict) else {}
        if custom.get(LIST_ITEM) and shown and text:
            before, before_buttons = shown[-1]
            shown[-1] = (f"{before}\n{text}", before_buttons + buttons)
        elif text or buttons:
            shown.append((text, buttons))
    return shown


class ChatGateway:
    """The app's one gateway: the database, the live hub, the Rasa client and the message limits."""

    def __init__(self, database: Database, hub: Hub, rasa: RasaClient, limits: MessageLimits) -> None:
        self.database, self.hub, self.rasa, self.limits = database, hub, rasa, limits
        # A lease outlives one Rasa call (the slot is taken first), with room to store the replies.
        self._lease_time = timedelta(seconds=2 * rasa.timeout_seconds + 10)
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._tasks: set[asyncio.Task] = set()

    # --- units of work -------------------------------------------------------------------
    def in_unit(self, work: Callable[..., T], *args: Any) -> T:
        """Run `work(unit, *args)` in its own transaction; frames go out after the commit."""
        with unit_of_work(self.database, self.hub) as unit:
            return work(unit, *args)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """`in_unit` off the event loop: database calls block."""
        return await run_in_threadpool(self.in_unit, work, *args)

    # --- the cardholder's side -----------------------------------------------------------
    def accept(self, identity: CustomerIdentity, text: str, client_id: str | None) -> tuple[schemas.Message, bool]:
        """Store the message (once per client_id); True while the assistant still owes it an answer.

        A retried client_id whose message is still pending says True again, so the retry
        forwards what a crash left behind (the lease keeps it to one delivery).
        """
        try:
            return self.in_unit(self._accept, identity.conversation_id, text, client_id)
        except IntegrityError:  # the same client_id raced in twice: the other one was stored
            return self.in_unit(self._accept, identity.conversation_id, text, client_id)

    def _accept(self, unit: Unit, conversation_id: str, text: str, client_id: str | None) -> tuple[schemas.Message, bool]:
        conversation = get_conversation(unit.session, conversation_id)
        mode = conversation.mode
        message, created = accept_customer_message(unit.session, conversation, text, client_id, self.limits)
        pending = delivery.is_pending(message)
        if created:  # agents see a message for the assistant once it has been read (and masked if secret)
            unit.outbox.message(unit.session, message, to_agents=not pending)
        if conversation.mode != mode:  # a closed conversation taken up again
            unit.outbox.state(unit.session, conversation)
        return message_view(message, for_agent=False), pending

    def replay(self, identity: CustomerIdentity, after: int) -> tuple[list[schemas.Message], schemas.State]:
        """What a (re)connecting widget has not seen yet, and where the conversation stands."""
        return self.in_unit(self._replay, identity.conversation_id, after)

    @staticmethod
    def _replay(unit: Unit, conversation_id: str, after: int) -> tuple[list[schemas.Message], schemas.State]:
        conversation = get_conversation(unit.session, conversation_id)
        messages = [message_view(m, for_agent=False) for m in messages_after(unit.session, conversation_id, after)]
        return messages, state_view(unit.session, conversation)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` in the background, keeping a reference so it is not collected mid-way."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def forward(self, conversation_id: str) -> None:
        """Send the conversation's pending messages to Rasa, oldest first, each answered once.

        A slot of the bounded pool to Rasa is taken before a message is leased, so a message
        waiting for a slot (in arrival order) never outlives its lease.
        """
        async with self._one_at_a_time(conversation_id):
            while True:
                async with self.rasa.slot():
                    leased = await self.run(self._lease, conversation_id)
                    if leased is None:
                        return
                    await self._deliver(*leased)

    async def assist_agent(self, conversation_id: str, message_id: int, text: str) -> None:
        """A cardholder's message to the agent holding the conversation: the model reads it while the
        bank's records are gathered, and the holder (and supervisors) get what it means, what to
        reply and what to offer; what was shown is recorded after the frame has gone."""
        reading = asyncio.create_task(self.read(conversation_id, text))
        gathered = await self.run(_gather_for_holder, conversation_id)
        if gathered is None:  # nobody holds it any more: the assistant answers the cardholder instead
            reading.cancel()
            return
        (holder_id, holder), facts = gathered
        result = assist.compose(facts, await reading, message_id, load_rules(), load_phrases(), bank_today())
        self.hub.to_agents({"type": "assist", "assist": jsonable_encoder(assist_view(conversation_id, result))}, holder)
        await self.run(lambda unit: assist.record_shown(unit.session, conversation_id, holder_id, result.suggestions,
                                                        message_id))

    async def read(self, conversation_id: str, text: str) -> dict[str, Any] | None:
        """The model's reading of `text`; None without Rasa (assist then works from the account and rules)."""
        try:
            async with self.rasa.slot():
                return await self.rasa.parse(text)
        except RasaUnavailable as exc:
            log.warning("assist without the model for %s: %s", conversation_id, exc)
            return None

    async def sweep(self, settle_seconds: float = 5.0) -> int:
        """Forward what a crash or a restart left pending; returns how many conversations."""
        settle = timedelta(seconds=settle_seconds)
        waiting = await self.run(lambda unit: delivery.conversations_waiting(unit.session, settle=settle))
        for conversation_id in waiting:
            self.spawn(self.forward(conversation_id))
        return len(waiting)

    async def sweep_forever(self, interval_seconds: float) -> None:
        """At start-up at once (nothing of this process is in flight), then every interval."""
        settle = 0.0
        while True:
            try:
                await self.sweep(settle)
            except Exception:  # noqa: BLE001 - a failed sweep is retried at the next tick
                log.exception("pending-message sweep failed")
            settle = max(interval_seconds, 5.0)
            await asyncio.sleep(interval_seconds)

    async def shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _lease(self, unit: Unit, conversation_id: str) -> tuple[delivery.Lease, str | None] | None:
        """The next pending message while the bot holds the conversation (with the address key the
        conversation came from); messages that arrived before a handoff go to the desk instead."""
        session = unit.session
        while (lease := delivery.lease_next(session, conversation_id, self._lease_time)) is not None:
            conversation = get_conversation(session, conversation_id)
            if answered_by_assistant(conversation):
                return lease, conversation.client_key
            unit.outbox.to_agents_only(session, delivery.finish(session, lease.message_id))
        return None

    async def _deliver(self, lease: delivery.Lease, client_key: str | None) -> None:
        conversation_id = lease.conversation_id
        self._typing(conversation_id, True)
        try:
            replies = await self._ask_rasa(lease, client_key)
        except RasaUnavailable as exc:
            log.warning("assistant unavailable for %s: %s", conversation_id, exc)
            await self.run(self._assistant_unavailable, conversation_id, lease.message_id)
        else:
            if replies:
                await self.run(self._store_replies, conversation_id, lease.message_id, replies)
            else:  # never silent: Rasa answers nothing when the action server died in the middle of the turn
                log.warning("assistant answered nothing for %s", conversation_id)
                await self.run(self._assistant_unavailable, conversation_id, lease.message_id)
        finally:
            self._typing(conversation_id, False)

    async def _ask_rasa(self, lease: delivery.Lease, client_key: str | None) -> list[dict[str, Any]]:
        """Rasa's replies to the leased message. A message sent before (by a forwarder that died)
        is first looked up in the tracker; when the instance that had it died (a refused connection,
        the balancer's 502), it is asked once more, to another instance, the same way."""
        conversation_id, retried = lease.conversation_id, lease.retried
        for attempt in range(2):
            try:
                replies = await self.rasa.replies_to(conversation_id, lease.message_id) if retried else None
                return replies if replies is not None else \
                    await self.rasa.send(conversation_id, lease.text, lease.message_id, client_key)
            except RasaUnavailable as exc:
                if attempt or not exc.retryable:
                    raise
                log.info("asking Rasa again for %s after %s", conversation_id, exc)
                retried = True
                await asyncio.sleep(RASA_RETRY_PAUSE_S)
        raise AssertionError("unreachable")

    @staticmethod
    def _store_replies(unit: Unit, conversation_id: str, message_id: int, replies: list[dict[str, Any]]) -> None:
        session, conversation = unit.session, get_conversation(unit.session, conversation_id)
        customs = [r["custom"] for r in replies if isinstance(r.get("custom"), dict)]
        secret = any(custom.get(VERIFICATION_ANSWER) for custom in customs)
        unit.outbox.to_agents_only(session, delivery.finish(session, message_id, secret))
        conversation.expects_secret = any(custom.get(EXPECTS) == "verification" for custom in customs)
        handoff_reference = next(
            (str(c["handoff"].get("reference")) for c in customs if isinstance(c.get("handoff"), dict)), None
        )
        for text, buttons in bubbles(replies):
            unit.outbox.message(session, add_message(session, conversation, "bot", text, buttons=buttons))
        handoff = handoff_by_reference(session, conversation_id, handoff_reference) if handoff_reference else None
        if handoff_reference and handoff is None:
            log.warning("handoff %s of %s is not in this database (is DATABASE_URL shared with the action server?)",
                        handoff_reference, conversation_id)
        if handoff is not None and answered_by_assistant(conversation):
            follow_handoff(conversation, handoff)
            unit.outbox.state(session, conversation)
            unit.outbox.queue(session)

    @staticmethod
    def _assistant_unavailable(unit: Unit, conversation_id: str, message_id: int) -> None:
        session, conversation = unit.session, get_conversation(unit.session, conversation_id)
        unit.outbox.to_agents_only(session, delivery.finish(session, message_id))
        if not answered_by_assistant(conversation):
            return
        notice, _handoff = report_assistant_unavailable(session, conversation, load_rules())
        unit.outbox.message(session, notice)
        unit.outbox.state(session, conversation)
        unit.outbox.queue(session)

    def _typing(self, conversation_id: str, on: bool) -> None:
        self.hub.to_conversation(conversation_id, {"type": "typing", "who": "bot", "on": on})

    @asynccontextmanager
    async def _one_at_a_time(self, conversation_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(conversation_id) or (asyncio.Lock(), 0)
        self._locks[conversation_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[conversation_id]
            if users == 1:
                del self._locks[conversation_id]
            else:
                self._locks[conversation_id] = (lock, users - 1)

    # --- the agent's side ----------------------------------------------------------------
    async def release(self, conversation_id: str, agent_id: int) -> schemas.State:
        """Hand back to the assistant: resume the Rasa tracker first, so the bot really answers."""
        await self.run(self._check_holder, conversation_id, agent_id)
        await self.rasa.resume(conversation_id)
        return await self.run(self._release, conversation_id, agent_id)

    @staticmethod
    def _check_holder(unit: Unit, conversation_id: str, agent_id: int) -> None:
        agent_desk.held_handoff(unit.session, conversation_id, unit.session.get(AgentAccount, agent_id))

    @staticmethod
    def _release(unit: Unit, conversation_id: str, agent_id: int) -> schemas.State:
        session = unit.session
        conversation, notice = agent_desk.release(session, conversation_id, session.get(AgentAccount, agent_id))
        unit.outbox.message(session, notice)
        unit.outbox.state(session, conversation)
        unit.outbox.queue(session)
        return state_view(session, conversation)


def _gather_for_holder(unit: Unit, conversation_id: str) -> tuple[tuple[int, str], assist.Gathered] | None:
    """The records assist needs, if an agent holds the conversation (else the assistant answers it)."""
    holder = agent_desk.holder_of(unit.session, conversation_id)
    if holder is None:
        return None
    gathered = assist.gather(unit.session, conversation_id, load_rules(), load_phrases(), bank_today())
    return (holder.id, holder.username), gathered
