/*
 * The conversation pane: which conversation is open, its state, the summary card the assistant
 * handed over, the transcript, the customer's typing, internal notes and handing back to the
 * assistant. The reply box is reply.js, closing is wrapup.js; other modules follow the open
 * conversation through onShown / onOpened / onState.
 */
import { $, clockTime, make, row, showNotice, store, yuan } from "./ui.js";
import { KEY, api, conversationPath } from "./session.js";
import { entries, intentLabel, label } from "./labels.js";
import { forgetMine } from "./queue.js";

/** How the summary card writes each figure, by key; the labels and their order come from the API. */
const FIGURE_FORMAT = {
  total_due: "money", outstanding_principal: "money", interest_to_date: "money", late_fee: "money",
  minimum_unpaid: "money", days_overdue: "days", credit_reported: "bool", card_suspended: "bool",
};

const el = {
  title: $("conversation-title"), state: $("conv-state"), conversation: $("conversation"),
  conversationEmpty: $("conversation-empty"), summary: $("summary"), transcript: $("transcript"),
  typing: $("customer-typing"), release: $("release"),
  notes: $("notes-list"), noteForm: $("note-form"), note: $("agent-note"), noteSend: $("agent-note-send"),
};

let current = null;
let detail = null;
let seen = new Set();
let typingTimer = null;
const listeners = { shown: [], opened: [], state: [] };

/** The id of the open conversation, or null. */
export function openId() {
  return current;
}

/** fn(conversationId | null) whenever the pane shows another conversation or none. */
export function onShown(fn) {
  listeners.shown.push(fn);
}

/** fn(detail, switching) when a conversation's detail arrives (opened, claimed). */
export function onOpened(fn) {
  listeners.opened.push(fn);
}

/** fn(state) when the open conversation's state changes. */
export function onState(fn) {
  listeners.state.push(fn);
}

export function bindConversation() {
  el.noteForm.addEventListener("submit", addNote);
  el.release.addEventListener("click", release);
}

export async function openConversation(conversationId) {
  const result = await api("GET", conversationPath(conversationId));
  if (!result.ok || !result.body) {
    showNotice(result.text || "无法打开对话");
    if (result.status === 404 || result.status === 403) {
      forgetMine(conversationId);
      if (current === conversationId) showConversation(null);
    }
    return;
  }
  showDetail(result.body);
}

/** After the socket came back: what was missed while it was down. */
export async function reloadConversation() {
  const conversationId = current;
  if (!conversationId) return;
  const result = await api("GET", conversationPath(conversationId));
  if (result.ok && result.body && result.body.conversation_id === current) {
    (result.body.messages || []).forEach(appendMessage);
    renderState(result.body.state);
  }
}

export function showConversation(conversationId) {
  current = conversationId;
  store(KEY.open, conversationId);
  el.conversation.hidden = !conversationId;
  el.conversationEmpty.hidden = Boolean(conversationId);
  if (!conversationId) {
    detail = null;
    el.state.textContent = "";
    el.title.textContent = "对话";
  }
  listeners.shown.forEach((fn) => fn(conversationId));
}

export function showDetail(body) {
  const switching = body.conversation_id !== current;
  detail = body;
  if (switching) {
    seen = new Set();
    el.transcript.replaceChildren();
    hideCustomerTyping();
  }
  showConversation(body.conversation_id);
  const handoff = body.handoff;
  el.title.textContent = "对话 " + (handoff && handoff.reference ? handoff.reference : body.conversation_id);
  renderSummary(body.summary || {}, handoff);
  (body.messages || []).forEach(appendMessage);
  renderNotes(body.notes || []);
  listeners.opened.forEach((fn) => fn(body, switching));
  renderState(body.state);
  el.transcript.scrollTop = el.transcript.scrollHeight;
}

export function renderState(state) {
  if (!state) return;
  if (detail) detail.state = state;
  let text = label("modes", state.mode);
  if (state.mode === "agent" && state.agent_name) text += "（" + state.agent_name + "）";
  if (state.mode === "waiting" && state.queue_position != null) text += "，排队第" + state.queue_position + "位";
  el.state.textContent = text;
  el.state.dataset.mode = state.mode;
  el.release.disabled = state.mode !== "agent";
  listeners.state.forEach((fn) => fn(state));
}

// ---------- summary card ----------

function summarySection(title) {
  const section = make("section", "summary-section");
  section.append(make("h4", "", title));
  return section;
}

function renderSummary(summary, handoff) {
  const card = el.summary;
  card.replaceChildren(make("h3", "summary-title", "智能助手摘要"));

  const basics = make("dl", "summary-grid");
  const verified = summary.verified != null ? summary.verified : handoff && handoff.verified;
  basics.append(make("dt", "", "身份"),
    make("dd", verified ? "tag tag-ok" : "tag tag-warn", verified ? "已核实身份" : "未核实身份"));
  const customer = summary.customer || {};
  row(basics, "客户", customer.name || (handoff && handoff.customer_masked) || "匿名客户");
  if (summary.card) row(basics, "卡号", summary.card);
  row(basics, "转人工原因", label("reasons", summary.reason || (handoff && handoff.reason)));
  row(basics, "情绪", label("sentiments", summary.sentiment || (handoff && handoff.sentiment)));
  const intents = Array.isArray(summary.intents) ? summary.intents : [];
  row(basics, "客户意图", [...new Set(intents.map(intentLabel))].join("、"));
  card.append(basics);

  if (summary.figures && typeof summary.figures === "object") card.append(figuresSection(summary.figures));
  card.append(recordsSection("还款承诺", summary.promises, (p) => p.reference + "：" + yuan(p.amount) + "，" + p.date + " 前"));
  card.append(recordsSection("分期方案", summary.plans,
    (p) => p.reference + "：" + p.term_months + " 期，每期 " + yuan(p.monthly_payment)));
  if (Array.isArray(summary.complaints) && summary.complaints.length) {
    card.append(recordsSection("投诉", summary.complaints, (c) => (c.reference || "#" + c.id) + "："
      + (label("complaint_categories", c.category) || "投诉") + "，" + label("case_statuses", c.status)));
  }
  if (Array.isArray(summary.last_messages) && summary.last_messages.length) {
    card.append(recordsSection("客户最近的话", summary.last_messages, (text) => String(text)));
  }
}

/** A figure as the card writes it: money with ¥, days with 天, yes/no; else as sent. */
function figureText(key, value) {
  const kind = FIGURE_FORMAT[key];
  if (kind === "money") return yuan(value);
  if (kind === "days") return value == null ? "—" : value + " 天";
  if (kind === "bool") return value ? "是" : "否";
  return value;
}

function figuresSection(figures) {
  const section = summarySection("账务数据");
  const list = make("dl", "summary-grid");
  entries("figures").forEach(([key, text]) => {
    if (key in figures) row(list, text, figureText(key, figures[key]));
  });
  section.append(list);
  return section;
}

function recordsSection(title, records, describe) {
  const section = summarySection(title);
  if (!Array.isArray(records) || records.length === 0) {
    section.append(make("p", "summary-none", "无"));
    return section;
  }
  const list = make("ul", "summary-list");
  records.forEach((record) => list.append(make("li", "", describe(record))));
  section.append(list);
  return section;
}

// ---------- transcript ----------

function senderLabel(message) {
  if (message.sender === "customer") return "客户";
  if (message.sender === "bot") return "智能助手";
  if (message.sender === "agent") return message.agent_name || "人工客服";
  return "系统";
}

/** Add a message in id order, once; messages of other conversations are ignored. */
export function appendMessage(message) {
  if (!message || typeof message.id !== "number" || seen.has(message.id)) return;
  if (message.conversation_id && current && message.conversation_id !== current) return;
  seen.add(message.id);
  const sender = ["customer", "bot", "agent", "system"].includes(message.sender) ? message.sender : "system";
  const item = make("div", "msg msg-" + sender);
  item.dataset.id = String(message.id);
  item.append(make("div", "msg-sender", senderLabel(message)), make("div", "msg-bubble", message.text),
    make("div", "msg-time", clockTime(message.created_at)));
  if (Array.isArray(message.buttons) && message.buttons.length) {
    item.append(make("div", "msg-buttons", "按钮：" + message.buttons.map((b) => b.title).join(" / ")));
  }
  const { transcript } = el;
  const stick = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
  const later = Array.from(transcript.children).find((other) => Number(other.dataset.id) > message.id);
  transcript.insertBefore(item, later || null);
  if (stick || sender === "agent") transcript.scrollTop = transcript.scrollHeight;
}

/** A message of the open conversation from the socket. */
export function showLiveMessage(message) {
  appendMessage(message);
  if (message.sender === "customer") hideCustomerTyping();
}

export function onCustomerTyping(frame) {
  if (frame.conversation_id !== current) return;
  clearTimeout(typingTimer);
  el.typing.hidden = !frame.on;
  if (frame.on) typingTimer = setTimeout(hideCustomerTyping, 15000);
}

function hideCustomerTyping() {
  clearTimeout(typingTimer);
  el.typing.hidden = true;
}

// ---------- notes ----------

function renderNotes(notes) {
  el.notes.replaceChildren(...notes.map(noteItem));
}

function noteItem(note) {
  const li = make("li", "note");
  li.append(make("span", "note-meta", (note.agent || "") + " " + clockTime(note.created_at)), make("p", "note-text", note.text));
  return li;
}

async function addNote(event) {
  event.preventDefault();
  const text = el.note.value.trim();
  if (!current || !text) return;
  el.noteSend.disabled = true;
  const result = await api("POST", conversationPath(current, "/notes"), { text });
  el.noteSend.disabled = false;
  if (!result.ok || !result.body || !result.body.note) {
    showNotice(result.text);
    return;
  }
  el.note.value = "";
  el.notes.append(noteItem(result.body.note));
}

// ---------- back to the assistant ----------

async function release() {
  if (!current) return;
  const conversationId = current;
  el.release.disabled = true;
  const result = await api("POST", conversationPath(conversationId, "/release"));
  if (!result.ok || !result.body) {
    showNotice(result.text);
    el.release.disabled = false;
    return;
  }
  forgetMine(conversationId);
  if (conversationId === current) renderState(result.body.state);
  showNotice("已交回智能助手");
}
