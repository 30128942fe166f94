/*
 * The open conversation: every turn as the tracker store has it (user messages with what the
 * model read, bot replies already masked by the API, actions), and the trainer's marks on it:
 * flag, tags, reviewed, saved as a test story. "更正意图" on a user turn hands the turn to
 * the example editor (examples.js).
 */
import { $, make, row } from "../agent/ui.js";
import { busy, call, enc } from "./api.js";
import { confidence, fullTime, percent } from "./format.js";
import { intentText } from "./intents.js";
import { say } from "./status.js";

const LOW_CONFIDENCE = 0.6;

const el = {
  title: $("detail-title"), empty: $("detail-empty"), detail: $("detail"), facts: $("detail-facts"),
  turns: $("turns"), flag: $("mark-flag"), tags: $("mark-tags"), saveTags: $("mark-tags-save"),
  reviewed: $("mark-reviewed"), testStory: $("save-test-story"), testStoryResult: $("test-story-result"),
};

let detail = null;
let mark = null;
let handlers = { correct: () => {}, marked: () => {}, shown: () => {} };
let generation = 0;

/** correct(turn, conversationId): a user turn to correct; marked(mark): a mark changed; shown(id|null). */
export function bindConversation(callbacks) {
  handlers = { ...handlers, ...callbacks };
  el.flag.addEventListener("click", () => busy(el.flag, () => saveMark({ flagged: !mark.flagged })));
  el.saveTags.addEventListener("click", () => busy(el.saveTags, () => saveMark({ tags: parseTags(el.tags.value) })));
  el.tags.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault();
      el.saveTags.click();
    }
  });
  el.reviewed.addEventListener("click", () => busy(el.reviewed, () => saveMark({ reviewed: !mark.reviewed })));
  el.testStory.addEventListener("click", () => busy(el.testStory, saveTestStory));
}

export function openedId() {
  return detail ? detail.conversation_id : null;
}

export async function openConversation(conversationId) {
  const mine = ++generation;
  el.title.textContent = "对话详情（加载中…）";
  const result = await call("GET", "/conversations/" + enc(conversationId));
  if (mine !== generation) return;
  if (!result.ok || !result.body) {
    el.title.textContent = "对话详情";
    return;
  }
  detail = result.body;
  mark = detail.mark || { conversation_id: conversationId, flagged: false, tags: [], reviewed: false };
  el.testStoryResult.hidden = true;
  render();
  handlers.shown(conversationId);
}

export function closeConversation() {
  generation += 1;
  detail = null;
  mark = null;
  el.title.textContent = "对话详情";
  el.detail.hidden = true;
  el.empty.hidden = false;
  el.turns.replaceChildren();
  handlers.shown(null);
}

function render() {
  el.title.textContent = "对话 " + detail.conversation_id;
  el.empty.hidden = true;
  el.detail.hidden = false;
  el.facts.replaceChildren();
  row(el.facts, "开始时间", fullTime(detail.started_at));
  row(el.facts, "识别到的意图", (detail.intents || []).map(intentText).join("、"));
  row(el.facts, "最低置信度", confidence(detail.min_confidence));
  row(el.facts, "兜底", detail.fallback ? "发生过" : "没有");
  row(el.facts, "转人工", detail.handed_off ? "是" : "否");
  row(el.facts, "结果", detail.outcome_label);
  row(el.facts, "设置过的槽位", (detail.slots_set || []).join("、"));
  renderMark();
  el.turns.replaceChildren(...(detail.turns || []).map(turnFor));
}

function renderMark() {
  el.flag.textContent = mark.flagged ? "取消标记" : "标记";
  el.flag.setAttribute("aria-pressed", String(Boolean(mark.flagged)));
  el.tags.value = (mark.tags || []).join("，");
  el.reviewed.textContent = mark.reviewed ? "取消已审阅" : "标记为已审阅";
  el.reviewed.setAttribute("aria-pressed", String(Boolean(mark.reviewed)));
  el.reviewed.title = mark.reviewed && mark.reviewed_by ? "审阅人：" + mark.reviewed_by : "";
}

function turnFor(turn) {
  const node = make("li", "turn " + turn.kind);
  node.dataset.index = String(turn.index);
  if (turn.fallback) node.classList.add("is-fallback");
  const meta = make("div", "turn-meta");
  const who = { user: "客户", bot: "助手", action: "动作" }[turn.kind] || turn.kind;
  meta.append(make("span", "turn-who", who));
  if (turn.at) meta.append(make("span", "turn-time", fullTime(turn.at).slice(11)));
  if (turn.kind !== "user" && turn.name) meta.append(make("code", "turn-name", actionName(turn.name)));
  node.append(meta);
  if (turn.kind === "user") userTurn(node, turn);
  else if (turn.text) node.append(make("p", "turn-text", turn.text));
  if (turn.slots && turn.slots.length) node.append(make("p", "turn-slots", "设置槽位：" + turn.slots.join("、")));
  return node;
}

function actionName(name) {
  return name === "pause" ? "pause（机器人暂停，转人工）" : name;
}

function userTurn(node, turn) {
  node.dataset.intent = turn.intent || "";
  node.append(make("p", "turn-text", turn.text || "（无文字）"));
  const reading = make("div", "reading");
  reading.append(make("span", "intent-chip", intentText(turn.intent)));
  const low = typeof turn.confidence === "number" && turn.confidence < LOW_CONFIDENCE;
  reading.append(make("span", "confidence" + (low ? " low" : ""), "置信度 " + percent(turn.confidence)));
  if (turn.fallback) reading.append(make("span", "badge badge-warn", "兜底"));
  node.append(reading);
  if (turn.ranking && turn.ranking.length) {
    const ranking = make("ol", "ranking");
    ranking.setAttribute("aria-label", "候选意图");
    turn.ranking.forEach((candidate) => {
      ranking.append(make("li", "", intentText(candidate.name) + " " + percent(candidate.confidence)));
    });
    node.append(ranking);
  }
  if (turn.entities && turn.entities.length) {
    const entities = make("ul", "entities-read");
    entities.setAttribute("aria-label", "识别到的实体");
    turn.entities.forEach((entity) => entities.append(make("li", "entity-chip", entity.entity + " = " + entity.value)));
    node.append(entities);
  }
  const correct = make("button", "btn btn-secondary btn-small correct-intent", "更正意图");
  correct.type = "button";
  correct.addEventListener("click", () => {
    el.turns.querySelectorAll(".turn.is-correcting").forEach((other) => other.classList.remove("is-correcting"));
    node.classList.add("is-correcting");
    handlers.correct(turn, detail.conversation_id);
  });
  node.append(correct);
}

/** After an example was written for a turn: say so on the turn. */
export function markCorrected(conversationId, index, intent) {
  if (!detail || detail.conversation_id !== conversationId) return;
  const node = el.turns.querySelector('.turn[data-index="' + index + '"]');
  if (!node) return;
  let note = node.querySelector(".corrected");
  if (!note) {
    note = make("p", "corrected");
    node.append(note);
  }
  note.textContent = "已写入训练数据：" + intentText(intent);
}

function parseTags(text) {
  return [...new Set(text.split(/[,，、;；\s]+/).map((tag) => tag.trim()).filter(Boolean))];
}

async function saveMark(change) {
  if (!detail) return;
  const conversationId = detail.conversation_id;
  const result = await call("POST", "/conversations/" + enc(conversationId) + "/mark", change);
  if (!result.ok || !result.body) return;
  if (openedId() === conversationId) {
    mark = result.body;
    renderMark();
  }
  handlers.marked(result.body);
  say(markText(change, result.body), "ok");
}

function markText(change, saved) {
  if ("flagged" in change) return saved.flagged ? "已标记这个对话" : "已取消标记";
  if ("reviewed" in change) return saved.reviewed ? "已标记为已审阅" : "已取消已审阅";
  return saved.tags.length ? "标签已保存：" + saved.tags.join("，") : "已清空标签";
}

async function saveTestStory() {
  if (!detail) return;
  const result = await call("POST", "/conversations/" + enc(detail.conversation_id) + "/test-story");
  if (!result.ok || !result.body) return;
  const text = "已保存为测试对话：" + result.body.file + "（" + result.body.steps + " 步）";
  el.testStoryResult.textContent = text;
  el.testStoryResult.hidden = false;
  say(text, "ok");
}
