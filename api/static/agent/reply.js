/*
 * The reply box: counter, "agent is typing" frames to the cardholder, suggestions and other text
 * put into it, and sending under the compliance guard. A blocked reply (422 reply_blocked) is not
 * sent; a warned one (409 reply_needs_confirmation) is sent only when the agent confirms; both
 * come with the reasons and, when there is one, an approved rewording.
 */
import { $, MAX_LENGTH, isSendKey, make, showNotice } from "./ui.js";
import { api, conversationPath } from "./session.js";
import { isOpen, onClosed, send as sendFrame } from "./socket.js";
import { appendMessage, openId } from "./conversation.js";

const TYPING_IDLE_MS = 2500;
const CHECK_DELAY_MS = 800;
const GUARDED = ["reply_blocked", "reply_needs_confirmation"];

const el = {
  form: $("reply-form"), reply: $("agent-reply"), send: $("agent-send"), counter: $("agent-reply-counter"),
  guard: $("guard"), guardMessage: $("guard-message"), guardReasons: $("guard-reasons"),
  guardExcerpts: $("guard-excerpts"), guardRewordingBox: $("guard-rewording-box"), guardRewording: $("guard-rewording"),
  useRewording: $("guard-use-rewording"), sendAnyway: $("guard-send-anyway"), hint: $("guard-hint"),
};

let inserted = null; // {id, text}: the suggestion put into the box, reported with the reply
let sending = false;
let agentTyping = null;
let typingTimer = null;
let checkTimer = null;

export function bindReply() {
  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply(false);
  });
  el.reply.addEventListener("input", onReplyInput);
  el.reply.addEventListener("keydown", (event) => {
    if (!isSendKey(event)) return;
    event.preventDefault();
    el.form.requestSubmit();
  });
  el.useRewording.addEventListener("click", () => setReply(el.guardRewording.textContent));
  el.sendAnyway.addEventListener("click", () => sendReply(true));
  onClosed(() => { agentTyping = null; });
}

/** Another conversation (or none) is open: an empty box, no guard. */
export function resetReply() {
  stopAgentTyping();
  el.reply.value = "";
  inserted = null;
  hideGuard();
  hideHint();
  refreshSendButton();
}

/** Replies are possible only while the agent holds the conversation. */
export function setReplyActive(active) {
  el.reply.disabled = !active;
  if (!active) hideGuard();
  refreshSendButton();
}

/** A suggestion replaces the box's content; it is sent only when the agent sends. */
export function insertSuggestion(suggestion) {
  setReply(suggestion.text);
  inserted = { id: suggestion.id, text: suggestion.text };
}

/** A disclosure or a knowledge answer goes after what the agent has written so far. */
export function appendToReply(text) {
  const before = el.reply.value.replace(/\s+$/, "");
  setReply(before ? before + text : text);
}

function setReply(text) {
  el.reply.value = text;
  el.reply.focus();
  el.reply.setSelectionRange(text.length, text.length);
  onReplyInput();
}

function onReplyInput() {
  hideGuard();
  refreshSendButton();
  if (el.reply.value.trim() === "") {
    inserted = null;
    stopAgentTyping();
    hideHint();
    return;
  }
  if (agentTyping && agentTyping !== openId()) stopAgentTyping();
  startAgentTyping();
  clearTimeout(typingTimer);
  typingTimer = setTimeout(stopAgentTyping, TYPING_IDLE_MS);
  scheduleCheck();
}

function refreshSendButton() {
  const text = el.reply.value;
  el.counter.textContent = text.length + "/" + MAX_LENGTH;
  el.send.disabled = sending || el.reply.disabled || text.trim() === "" || text.length > MAX_LENGTH;
}

// ---------- typing frames ----------

/** Tell the cardholder the agent is typing (an agent WS frame the backend forwards as who=agent). */
function startAgentTyping() {
  const conversationId = openId();
  if (!conversationId || agentTyping === conversationId || !isOpen()) return;
  sendFrame({ type: "typing", conversation_id: conversationId, on: true });
  agentTyping = conversationId;
}

export function stopAgentTyping() {
  clearTimeout(typingTimer);
  if (agentTyping) sendFrame({ type: "typing", conversation_id: agentTyping, on: false });
  agentTyping = null;
}

// ---------- sending ----------

async function sendReply(confirmed) {
  const text = el.reply.value;
  const conversationId = openId();
  if (!conversationId || text.trim() === "" || sending) return;
  stopAgentTyping();
  clearTimeout(checkTimer);
  hideHint();
  const body = { text };
  if (inserted) Object.assign(body, { suggestion_id: inserted.id, suggestion_text: inserted.text });
  if (confirmed) body.confirmed = true;
  sending = true;
  refreshSendButton();
  const result = await api("POST", conversationPath(conversationId, "/messages"), body);
  sending = false;
  const here = conversationId === openId();
  if (result.ok && result.body) {
    if (here) {
      el.reply.value = "";
      inserted = null;
      hideGuard();
      appendMessage(result.body.message);
    }
  } else {
    const detail = result.body && result.body.detail;
    if (here && detail && GUARDED.includes(detail.code) && detail.check) showGuard(detail);
    else showNotice(result.text);
  }
  refreshSendButton();
}

// ---------- the guard ----------

function showGuard(detail) {
  const check = detail.check;
  const warning = detail.code === "reply_needs_confirmation";
  el.guard.dataset.verdict = warning ? "warn" : "block";
  el.guardMessage.textContent = detail.message || (warning ? "这条回复需要确认后再发送" : "这条回复未发送");
  el.guardReasons.replaceChildren(...(check.reasons || []).map((reason) => make("li", "", reason)));
  const excerpts = [...new Set((check.findings || []).map((finding) => finding.excerpt).filter(Boolean))];
  el.guardExcerpts.textContent = excerpts.length ? "涉及：" + excerpts.map((text) => "“" + text + "”").join("、") : "";
  el.guardExcerpts.hidden = !excerpts.length;
  el.guardRewording.textContent = check.rewording || "";
  el.guardRewordingBox.hidden = !check.rewording;
  el.useRewording.hidden = !check.rewording;
  el.sendAnyway.hidden = !warning;
  el.guard.hidden = false;
  el.guard.scrollIntoView({ block: "nearest" });
  hideHint();
}

function hideGuard() {
  el.guard.hidden = true;
}

// ---------- a live hint while typing (nothing is recorded) ----------

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(checkDraft, CHECK_DELAY_MS);
}

async function checkDraft() {
  const text = el.reply.value;
  const conversationId = openId();
  if (!conversationId || el.reply.disabled || text.trim() === "" || text.length > MAX_LENGTH) return;
  const result = await api("POST", conversationPath(conversationId, "/check"), { text });
  if (el.reply.value !== text || conversationId !== openId() || !el.guard.hidden || sending) return;
  const check = result.ok && result.body;
  if (!check || check.verdict === "ok" || !Array.isArray(check.reasons)) {
    hideHint();
    return;
  }
  el.hint.textContent = (check.verdict === "block" ? "发送前请修改：" : "请留意：") + check.reasons.join("；");
  el.hint.dataset.verdict = check.verdict;
  el.hint.hidden = false;
}

function hideHint() {
  el.hint.hidden = true;
}
