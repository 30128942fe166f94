/*
 * The left pane: the handoff queue (claim; reassign for supervisors), the agent's own
 * conversations with unread counts, and the supervisors' list of agents.
 */
import { $, button, duration, load, make, showNotice, store, yuan } from "./ui.js";
import { KEY, api, isSupervisor } from "./session.js";
import { label } from "./labels.js";
import { openConversation, openId, showDetail } from "./conversation.js";

const el = {
  queue: $("queue"), queueCount: $("queue-count"), queueEmpty: $("queue-empty"),
  mine: $("my-conversations"), mineEmpty: $("my-empty"), agentsPanel: $("agents-panel"), agentsList: $("agents-list"),
};

let queue = [];
let queueAt = 0;
let agents = [];
let mine = [];
let agentsTimer = null;
let tickTimer = null;

export function startQueue() {
  el.agentsPanel.hidden = !isSupervisor();
  mine = load(KEY.mine, []) || [];
  renderMine();
  refreshQueue();
  if (isSupervisor()) {
    refreshAgents();
    agentsTimer = setInterval(refreshAgents, 20000);
  }
  tickTimer = setInterval(tickWaiting, 1000);
}

export function stopQueue() {
  clearInterval(agentsTimer);
  clearInterval(tickTimer);
  mine = [];
  renderQueue([]);
}

// ---------- queue ----------

export async function refreshQueue() {
  const result = await api("GET", "/api/agent/queue");
  if (result.ok && result.body && Array.isArray(result.body.items)) renderQueue(result.body.items);
}

export function renderQueue(items) {
  const chosen = {};
  el.queue.querySelectorAll(".reassign").forEach((select) => { chosen[select.dataset.handoffId] = select.value; });
  queue = items;
  queueAt = Date.now();
  el.queue.replaceChildren(...items.map((item) => queueItem(item, chosen[String(item.handoff_id)])));
  el.queueCount.textContent = String(items.filter((item) => item.status === "waiting").length);
  el.queueEmpty.hidden = items.length > 0;
}

function queueItem(item, chosenAgent) {
  const li = make("li", "queue-item");
  li.dataset.handoffId = String(item.handoff_id);
  li.dataset.conversationId = item.conversation_id;
  li.dataset.status = item.status;
  li.classList.toggle("is-open", item.conversation_id === openId());

  const top = make("div", "qi-row");
  const wait = make("span", "qi-wait", "");
  wait.dataset.baseSeconds = String(item.waiting_seconds || 0);
  wait.dataset.counting = item.status === "waiting" ? "1" : "0";
  top.append(make("span", "qi-reason reason-" + item.reason, label("reasons", item.reason)),
    make("span", "qi-priority", "优先级 " + item.priority), wait);

  const middle = make("div", "qi-row");
  middle.append(make("span", "qi-customer", item.customer_masked || "匿名客户"),
    make("span", "qi-verified" + (item.verified ? " is-verified" : ""), item.verified ? "已核实" : "未核实"),
    make("span", "qi-due", "应还 " + yuan(item.total_due)));

  const bottom = make("div", "qi-row qi-meta");
  bottom.append(make("span", "qi-sentiment sentiment-" + item.sentiment,
    "情绪：" + (label("sentiments", item.sentiment) || "—")));
  if (item.callback) bottom.append(make("span", "qi-callback", "需回电"));
  bottom.append(make("span", "qi-ref", item.reference || ""));

  li.append(top, middle, bottom, queueActions(item, chosenAgent));
  updateWait(wait);
  return li;
}

function queueActions(item, chosenAgent) {
  const actions = make("div", "qi-actions");
  if (item.status === "waiting") {
    const claim = button("btn btn-primary claim", "领取", () => claimHandoff(item, claim));
    actions.append(claim);
  } else {
    actions.append(make("span", "qi-status", label("handoff_statuses", item.status)
      + (item.assigned_agent ? "：" + item.assigned_agent : "")),
    button("btn btn-ghost open-conv", "查看", () => openConversation(item.conversation_id)));
  }
  if (isSupervisor()) actions.append(...reassignControls(item, chosenAgent));
  return actions;
}

function reassignControls(item, chosenAgent) {
  const select = make("select", "reassign");
  select.dataset.handoffId = String(item.handoff_id);
  select.setAttribute("aria-label", "改派给");
  select.append(new Option("改派给…", ""));
  agents.forEach((agent) => select.append(new Option(agent.display_name + "（" + agent.username + "）", agent.username)));
  if (chosenAgent) select.value = chosenAgent;
  const assign = button("btn btn-secondary assign", "改派", () => assignHandoff(item, select.value, assign));
  return [select, assign];
}

function updateWait(node) {
  const base = Number(node.dataset.baseSeconds || 0);
  const extra = node.dataset.counting === "1" ? (Date.now() - queueAt) / 1000 : 0;
  node.textContent = "等待 " + duration(base + extra);
}

function tickWaiting() {
  el.queue.querySelectorAll(".qi-wait").forEach(updateWait);
}

async function claimHandoff(item, claim) {
  claim.disabled = true;
  const result = await api("POST", "/api/agent/handoffs/" + encodeURIComponent(item.handoff_id) + "/claim");
  claim.disabled = false;
  if (!result.ok || !result.body || !result.body.conversation) {
    showNotice(result.text || "领取失败，请稍后再试");
    if (result.status === 409) refreshQueue();
    return;
  }
  rememberMine(result.body.conversation, item);
  showDetail(result.body.conversation);
}

async function assignHandoff(item, username, assign) {
  if (!username) {
    showNotice("请选择要改派的坐席");
    return;
  }
  assign.disabled = true;
  const result = await api("POST", "/api/agent/handoffs/" + encodeURIComponent(item.handoff_id) + "/assign", { username });
  assign.disabled = false;
  if (!result.ok) {
    showNotice(result.text);
    return;
  }
  showNotice("已将 " + (item.reference || "对话") + " 改派给 " + username);
  refreshQueue();
  refreshAgents();
}

/** Mark the open conversation in the queue and in "my conversations". */
export function markOpen(conversationId) {
  el.queue.querySelectorAll(".queue-item").forEach((li) => {
    li.classList.toggle("is-open", li.dataset.conversationId === conversationId);
  });
  renderMine();
}

// ---------- agents (supervisors) ----------

async function refreshAgents() {
  if (!isSupervisor()) return;
  const result = await api("GET", "/api/agent/agents");
  if (!result.ok || !result.body || !Array.isArray(result.body.items)) return;
  agents = result.body.items;
  el.agentsList.replaceChildren(...agents.map((agent) => {
    const li = make("li", "agent-item");
    li.append(make("span", "agent-name", agent.display_name + "（" + agent.username + "）"),
      make("span", "agent-role", agent.role === "supervisor" ? "主管" : "坐席"),
      make("span", "agent-load", "进行中 " + (agent.active_conversations || 0)));
    return li;
  }));
  renderQueue(queue);
}

// ---------- my conversations ----------

export function rememberMine(detail, item) {
  const handoff = detail.handoff || item || {};
  if (!mine.some((other) => other.conversation_id === detail.conversation_id)) {
    mine.push({
      conversation_id: detail.conversation_id,
      reference: handoff.reference || "",
      customer: handoff.customer_masked || "匿名客户",
      reason: handoff.reason || "",
      unread: 0,
    });
    store(KEY.mine, mine);
  }
  renderMine();
}

export function forgetMine(conversationId) {
  mine = mine.filter((item) => item.conversation_id !== conversationId);
  store(KEY.mine, mine);
  renderMine();
}

/** A cardholder wrote in one of my conversations that is not open. */
export function markUnread(conversationId) {
  const item = mine.find((other) => other.conversation_id === conversationId);
  if (!item) return;
  item.unread = (item.unread || 0) + 1;
  store(KEY.mine, mine);
  renderMine();
}

export function clearUnread(conversationId) {
  const item = mine.find((other) => other.conversation_id === conversationId);
  if (!item || !item.unread) return;
  item.unread = 0;
  store(KEY.mine, mine);
  renderMine();
}

function renderMine() {
  el.mine.replaceChildren(...mine.map((item) => {
    const li = make("li", "my-item" + (item.conversation_id === openId() ? " is-open" : ""));
    li.append(button("my-open", item.customer + " · " + (label("reasons", item.reason) || "对话"),
      () => openConversation(item.conversation_id)), make("span", "qi-ref", item.reference));
    if (item.unread) li.append(make("span", "unread-badge", String(item.unread)));
    return li;
  }));
  el.mineEmpty.hidden = mine.length > 0;
}
