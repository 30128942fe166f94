/*
 * The assist panel for the open conversation: what the cardholder's latest message means, the
 * suggested replies, the next best action with its disclosure, the running summary, the
 * installment calculator and the knowledge search. Live from the socket's "assist" frames, and
 * fetched (GET .../assist) when a conversation is opened or after an outcome is recorded.
 * Nothing here is sent to the cardholder: text only goes into the reply box.
 */
import { $, button, make, normalizeAmount, row, yuan } from "./ui.js";
import { api, conversationPath } from "./session.js";
import { fillTermSelect, intentLabel, knowsIntent, label } from "./labels.js";
import { openId } from "./conversation.js";
import { appendToReply, insertSuggestion } from "./reply.js";

/** How an offer's or a quote's figure is written; its caption is labels.offer_figures[key]. */
const FORMAT = {
  term: (v) => v + " 期",
  principal: yuan,
  monthly: yuan,
  last: yuan,
  fee: yuan,
  annual_rate: String,
  total: yuan,
  date: String,
  amount: yuan,
  budget: yuan,
  max_months: (v) => v + " 个月",
};
/** An offer's figures, in this order (an installment's, a promise's, a personalized plan's). */
const OFFER_KEYS = ["term", "monthly", "fee", "annual_rate", "total", "date", "amount", "budget", "max_months"]
  .map((key) => [key, key]);
/** The calculator's answer in the offer's terms. */
const QUOTE_KEYS = [["term_months", "term"], ["principal", "principal"], ["monthly_payment", "monthly"],
  ["last_payment", "last"], ["total_fee", "fee"], ["annual_rate", "annual_rate"], ["total_repayment", "total"]];

const el = {
  panel: $("assist"), status: $("assist-status"),
  readingEmpty: $("assist-reading-empty"), readingBody: $("assist-reading-body"), intent: $("assist-intent"),
  confidence: $("assist-confidence"), entities: $("assist-entities"), sentiment: $("assist-sentiment"),
  suggestions: $("assist-suggestions"),
  offerTitle: $("assist-offer-title"), offerFigures: $("assist-offer-figures"), offerNote: $("assist-offer-note"),
  disclosure: $("assist-disclosure"), insertDisclosure: $("assist-insert-disclosure"),
  agreed: $("assist-agreed"), open: $("assist-open"), summarySentiment: $("assist-summary-sentiment"),
  calcForm: $("calc"), calcAmount: $("calc-amount"), calcTerm: $("calc-term"), calcGo: $("calc-go"),
  calcResult: $("calc-result"),
  kbForm: $("kb"), kbQuery: $("kb-query"), kbGo: $("kb-go"), kbResults: $("kb-results"),
};

let shownMessageId = null; // the cardholder message the panel reads (data-message-id); an older one never replaces it
let loading = 0;

export function bindAssist() {
  el.insertDisclosure.addEventListener("click", () => appendToReply(el.disclosure.textContent));
  el.calcForm.addEventListener("submit", calculate);
  el.kbForm.addEventListener("submit", searchKnowledge);
}

/** The labelled controls: the calculator's terms. */
export function fillAssistLabels() {
  fillTermSelect(el.calcTerm);
}

/** Another conversation is open: an empty panel, the calculator set to its principal. */
export function resetAssist(detail) {
  shownMessageId = null;
  el.panel.dataset.messageId = "";
  el.status.hidden = true;
  renderReading(null);
  renderSuggestions([]);
  renderOffer(null);
  renderSummary(null);
  el.calcResult.replaceChildren();
  el.calcResult.hidden = true;
  el.kbResults.replaceChildren();
  const figures = (detail && detail.summary && detail.summary.figures) || {};
  const principal = normalizeAmount(figures.outstanding_principal || figures.total_due || "");
  el.calcAmount.value = principal || "";
}

export function hideAssist() {
  el.panel.hidden = true;
}

/** GET .../assist for the open conversation; a 403 (not the holder) hides the panel quietly. */
export async function loadAssist(conversationId) {
  if (!conversationId) return;
  const mine = ++loading;
  const result = await api("GET", conversationPath(conversationId, "/assist"));
  if (mine !== loading || conversationId !== openId()) return;
  if (result.status === 403 || result.status === 404) {
    hideAssist();
    return;
  }
  if (!result.ok || !result.body) {
    el.panel.hidden = false;
    el.status.textContent = "辅助信息暂时无法获取";
    el.status.hidden = false;
    return;
  }
  render(result.body);
}

/** After an outcome was recorded: the running summary (and the rest) again. */
export function refreshAssist() {
  loadAssist(openId());
}

/** A live frame {type: "assist", assist}; only the open conversation's is shown. */
export function onAssistFrame(frame) {
  const assist = frame && frame.assist;
  if (assist && assist.conversation_id === openId()) render(assist);
}

function render(assist) {
  const messageId = typeof assist.message_id === "number" ? assist.message_id : null;
  if (messageId !== null && shownMessageId !== null && messageId < shownMessageId) return;
  if (messageId !== null) shownMessageId = messageId;
  el.panel.dataset.messageId = shownMessageId === null ? "" : String(shownMessageId);
  el.status.hidden = true;
  el.panel.hidden = false;
  renderReading(assist.reading);
  renderSuggestions(Array.isArray(assist.suggestions) ? assist.suggestions : []);
  renderOffer(assist.offer);
  renderSummary(assist.summary);
}

// ---------- what the cardholder means ----------

function renderReading(reading) {
  el.readingEmpty.hidden = Boolean(reading);
  el.readingBody.hidden = !reading;
  if (!reading) return;
  el.intent.textContent = intentLabel(reading.intent);
  el.intent.classList.toggle("is-unsure", !knowsIntent(reading.intent));
  const confidence = Number(reading.confidence);
  el.confidence.textContent = Number.isFinite(confidence) ? "置信度 " + Math.round(confidence * 100) + "%" : "";
  const entities = Array.isArray(reading.entities) ? reading.entities : [];
  el.entities.replaceChildren(...entities.map((e) => make("li", "", label("entities", e.entity) + "：" + (e.shown || e.value))));
  el.entities.hidden = entities.length === 0;
  el.sentiment.textContent = label("sentiments", reading.sentiment) || "—";
  el.sentiment.className = "sentiment-" + reading.sentiment;
}

// ---------- suggested replies ----------

function renderSuggestions(suggestions) {
  if (!suggestions.length) {
    el.suggestions.replaceChildren(make("li", "empty-hint", "暂无建议回复"));
    return;
  }
  el.suggestions.replaceChildren(...suggestions.map((suggestion) => {
    const li = make("li", "");
    const choose = button("suggestion", suggestion.text, () => insertSuggestion(suggestion));
    choose.dataset.suggestionId = suggestion.id;
    choose.title = "放入回复框（不会直接发送）";
    li.append(choose);
    return li;
  }));
}

// ---------- next best action ----------

function figureRows(list, figures, keys) {
  keys.forEach(([sent, key]) => {
    if (!FORMAT[key] || figures[sent] == null || figures[sent] === "") return;
    row(list, label("offer_figures", key), FORMAT[key](figures[sent]));
  });
}

function renderOffer(offer) {
  const figures = (offer && offer.figures) || {};
  el.offerTitle.textContent = offer ? label("offers", offer.kind) : "—";
  el.offerFigures.replaceChildren();
  figureRows(el.offerFigures, figures, OFFER_KEYS);
  el.offerFigures.hidden = !el.offerFigures.children.length;
  el.offerNote.hidden = figures.below_minimum !== true;
  el.disclosure.textContent = (offer && offer.disclosure) || "";
  el.disclosure.hidden = !el.disclosure.textContent;
  el.insertDisclosure.hidden = el.disclosure.hidden;
}

// ---------- running summary ----------

function summaryItem(item) {
  return make("li", "", [item.kind_label, item.reference].filter(Boolean).join(" ") + "："
    + (item.detail || item.status_label || ""));
}

function summaryList(list, items) {
  const shown = Array.isArray(items) ? items : [];
  list.replaceChildren(...(shown.length ? shown.map(summaryItem) : [make("li", "summary-none", "无")]));
}

function renderSummary(summary) {
  summaryList(el.agreed, summary && summary.agreed);
  summaryList(el.open, summary && summary.open);
  el.summarySentiment.textContent = summary && summary.sentiment ? label("sentiments", summary.sentiment) : "—";
}

// ---------- calculator ----------

function showCalcError(text) {
  el.calcResult.replaceChildren(make("p", "form-error", text));
  el.calcResult.hidden = false;
}

async function calculate(event) {
  event.preventDefault();
  const amount = normalizeAmount(el.calcAmount.value);
  if (!amount) {
    showCalcError("请输入正确的金额，例如 12680.00");
    return;
  }
  el.calcGo.disabled = true;
  const query = "?amount=" + encodeURIComponent(amount) + "&term_months=" + encodeURIComponent(el.calcTerm.value);
  const result = await api("GET", "/api/agent/calculator" + query);
  el.calcGo.disabled = false;
  if (!result.ok || !result.body) {
    showCalcError(result.text);
    return;
  }
  const quote = result.body;
  const list = make("dl", "assist-figures");
  figureRows(list, quote, QUOTE_KEYS);
  el.calcResult.replaceChildren(list);
  if (quote.disclosure) {
    const insert = button("btn btn-secondary btn-small", "插入说明", () => appendToReply(quote.disclosure));
    insert.id = "calc-insert";
    el.calcResult.append(make("p", "disclosure", quote.disclosure), insert);
  }
  el.calcResult.hidden = false;
}

// ---------- knowledge ----------

async function searchKnowledge(event) {
  event.preventDefault();
  const query = el.kbQuery.value.trim();
  if (!query) return;
  el.kbGo.disabled = true;
  const result = await api("GET", "/api/agent/knowledge?q=" + encodeURIComponent(query));
  el.kbGo.disabled = false;
  if (!result.ok || !result.body || !Array.isArray(result.body.items)) {
    el.kbResults.replaceChildren(make("li", "form-error", result.text || "查询失败，请稍后再试"));
    return;
  }
  const items = result.body.items;
  if (!items.length) {
    el.kbResults.replaceChildren(make("li", "empty-hint", "没有找到相关内容"));
    return;
  }
  el.kbResults.replaceChildren(...items.map((item) => {
    const li = make("li", "kb-item");
    li.dataset.id = item.id;
    li.append(make("p", "kb-text", item.text), button("btn btn-secondary btn-small kb-insert", "插入",
      () => appendToReply(item.text)));
    return li;
  }));
}
