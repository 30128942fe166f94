/*
 * The conversation list: the filter bar and the rows (newest first, 50 at a time). Each row is
 * [data-conversation-id]; clicking it opens the conversation (conversation.js). Marks made in
 * the open conversation come back through updateRow, so the list never needs a reload for them.
 */
import { $, make } from "../agent/ui.js";
import { busy, call, query } from "./api.js";
import { confidence, shortTime } from "./format.js";
import { intentText } from "./intents.js";
import { say } from "./status.js";

const PAGE = 50;

const el = {
  form: $("review-filters"), from: $("filter-from"), to: $("filter-to"), intent: $("filter-intent"),
  confidence: $("filter-confidence"), fallback: $("filter-fallback"), handoff: $("filter-handoff"),
  unreviewed: $("filter-unreviewed"), flagged: $("filter-flagged"), q: $("filter-q"),
  apply: $("filter-apply"), reset: $("filter-reset"),
  list: $("conversation-list"), empty: $("conversation-list-empty"), count: $("conversation-count"),
  more: $("conversation-more"),
};

let items = [];
let total = 0;
let openHandler = () => {};
let openId = null;
let generation = 0; // an answer to an older query never overwrites a newer one

export function bindConversations(onOpen) {
  openHandler = onOpen;
  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    loadConversations();
  });
  el.reset.addEventListener("click", () => {
    el.form.reset();
    loadConversations();
  });
  el.more.addEventListener("click", () => busy(el.more, () => fetchPage(items.length)));
}

/** The first page for the filters as they are now. */
export function loadConversations() {
  return busy(el.apply, () => fetchPage(0));
}

async function fetchPage(offset) {
  const threshold = el.confidence.value.trim();
  if (threshold && !(Number(threshold) >= 0 && Number(threshold) <= 1)) {
    say("置信度请填写 0 到 1 之间的数", "error");
    return;
  }
  const mine = offset === 0 ? ++generation : generation;
  const params = {
    date_from: el.from.value, date_to: el.to.value, intent: el.intent.value, max_confidence: threshold,
    fallback: el.fallback.checked, handed_off: el.handoff.checked, unreviewed: el.unreviewed.checked,
    flagged: el.flagged.checked, q: el.q.value.trim(), limit: PAGE, offset,
  };
  const result = await call("GET", "/conversations" + query(params));
  if (mine !== generation || !result.ok || !result.body) return;
  const page = result.body.items || [];
  items = offset === 0 ? page : items.concat(page);
  total = result.body.total || 0;
  render();
}

function render() {
  el.list.replaceChildren(...items.map(rowFor));
  el.count.textContent = String(total);
  el.empty.hidden = items.length > 0;
  el.more.hidden = items.length >= total;
}

function rowFor(item) {
  const row = make("li", "conv-row");
  row.dataset.conversationId = item.conversation_id;
  row.classList.toggle("is-open", item.conversation_id === openId);
  row.classList.toggle("is-reviewed", Boolean(item.reviewed));
  const open = make("button", "conv-open");
  open.type = "button";
  open.addEventListener("click", () => openHandler(item.conversation_id));

  const head = make("span", "conv-head");
  head.append(make("span", "conv-time", shortTime(item.started_at)),
    make("span", "conv-turns", item.turns + " 条客户消息"),
    make("span", "conv-conf" + (item.min_confidence !== null && item.min_confidence < 0.6 ? " low" : ""),
      "最低置信度 " + confidence(item.min_confidence)));
  const preview = make("span", "conv-preview", item.preview || "（无文字消息）");
  const badges = make("span", "badges");
  if (item.flagged) badges.append(make("span", "badge badge-flag", "已标记"));
  if (item.fallback) badges.append(make("span", "badge badge-warn", "兜底"));
  if (item.handed_off) badges.append(make("span", "badge badge-warn", "转人工"));
  if (item.outcome_label) badges.append(make("span", "badge", item.outcome_label));
  badges.append(make("span", "badge " + (item.reviewed ? "badge-ok" : "badge-muted"), item.reviewed ? "已审阅" : "未审阅"));
  (item.tags || []).forEach((tag) => badges.append(make("span", "badge badge-tag", "#" + tag)));
  const intents = make("span", "conv-intents", (item.intents || []).map(intentText).join("、"));
  open.append(head, preview, intents, badges);
  row.append(open);
  return row;
}

/** Highlights the open conversation's row. */
export function setOpenRow(conversationId) {
  openId = conversationId;
  el.list.querySelectorAll(".conv-row").forEach((row) => {
    row.classList.toggle("is-open", row.dataset.conversationId === conversationId);
  });
}

/** A mark changed (flag, tags, reviewed): redraw that row. */
export function updateRow(mark) {
  const index = items.findIndex((item) => item.conversation_id === mark.conversation_id);
  if (index < 0) return;
  items[index] = { ...items[index], flagged: mark.flagged, tags: mark.tags, reviewed: mark.reviewed };
  const old = el.list.querySelector('[data-conversation-id="' + CSS.escape(mark.conversation_id) + '"]');
  if (old) old.replaceWith(rowFor(items[index]));
}

export function resetConversations() {
  generation += 1;
  items = [];
  total = 0;
  openId = null;
  render();
  el.empty.hidden = true;
}
