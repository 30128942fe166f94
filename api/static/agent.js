"use strict";
/*
 * Agent console (/agent): login, the live handoff queue (WS /api/agent/ws), the conversation
 * pane (summary card, transcript, reply, notes, release/close) and the outcome forms.
 * Contract: api_contract.md, "Agent console". All text goes into the page via textContent.
 * The one global of this file is AgentConsole.
 */
const AgentConsole = (function () {
  const KEY = { session: "agentConsole.session", mine: "agentConsole.mine", open: "agentConsole.open" };
  const NOTICE_MS = 6000;
  const MAX_LENGTH = 1000;
  const REASON = {
    distress: "情绪危机",
    complaint: "投诉",
    hardship: "困难",
    assistant_unavailable: "助手故障",
    requested: "主动转人工",
    verification_failed: "身份核实失败",
    personalized_installment: "个性化分期",
    dispute: "账单异议",
    fee_waiver: "减免申请",
    fallback: "助手未能理解",
  };
  const SENTIMENT = { neutral: "平稳", negative: "不满", distressed: "严重困扰" };
  const INTENT = {
    greet: "问候", goodbye: "道别", thank: "致谢", affirm: "肯定", deny: "否定",
    bot_challenge: "询问是否机器人", ask_balance: "查询欠款", ask_consequence: "询问逾期影响",
    ask_fee: "询问费用", request_installment: "申请分期", promise_to_pay: "承诺还款",
    claim_paid: "称已还款", ask_payment_method: "询问还款方式", dispute_bill: "账单异议",
    report_hardship: "还款困难", request_fee_waiver: "申请减免", complain: "投诉",
    request_human: "要求人工", refuse_to_pay: "拒绝还款", not_cardholder: "非持卡人",
    inform: "提供信息", out_of_scope: "超出范围", report_fraud: "卡片盗刷或遗失", stop_contact: "联系偏好",
    distress: "情绪危机", ask_case_status: "查询办理进度", change_promise: "修改还款承诺",
    request_certificate: "申请证明或异议", verify_collector: "核实催收身份",
  };
  const MODE = { bot: "智能助手服务中", waiting: "等待人工", agent: "人工服务中", callback: "待回电", closed: "已结束" };
  const STATUS = { waiting: "等待中", claimed: "已领取", closed: "已结束" };
  const COMPLAINT_CATEGORY = { harassment: "催收骚扰", third_party_contact: "联系第三方", attitude: "服务态度", other: "其他" };
  const CASE_STATUS = { open: "待处理", in_review: "审核中", resolved: "已解决", rejected: "已驳回" };
  const TYPING_IDLE_MS = 2500;
  const FIGURES = [
    ["total_due", "应还总额", "money"],
    ["outstanding_principal", "未还本金", "money"],
    ["interest_to_date", "利息", "money"],
    ["late_fee", "违约金", "money"],
    ["minimum_unpaid", "未还最低还款额", "money"],
    ["days_overdue", "逾期天数", "days"],
    ["due_date", "到期还款日", "text"],
    ["credit_reported", "已报送征信", "bool"],
    ["card_suspended", "卡片已止付", "bool"],
  ];
  const ERROR_TEXT = {
    bad_credentials: "用户名或密码错误",
    already_claimed: "该对话已被其他客服领取",
    invalid_token: "登录已失效，请重新登录",
    expired_token: "登录已过期，请重新登录",
  };
  const STATUS_TEXT = {
    401: "登录已失效，请重新登录",
    403: "您没有权限执行此操作",
    404: "对话不存在或已结束",
    409: "操作冲突，请刷新后重试",
    422: "输入内容有误，请检查后重试",
    429: "操作太频繁，请稍后再试",
  };

  const s = {
    session: null,
    queue: [],
    queueAt: 0,
    agents: [],
    agentsTimer: null,
    tickTimer: null,
    mine: [],
    openId: null,
    detail: null,
    seen: new Set(),
    typingTimer: null,
    agentTyping: null,
    agentTypingTimer: null,
    noticeTimer: null,
  };
  const el = {};

  // ---------- helpers ----------

  function $(id) {
    return document.getElementById(id);
  }

  const C = PageCommon;
  const store = C.store;
  const load = C.load;
  const clockTime = C.clockTime;

  function make(tag, className, text) {
    return C.make(tag, className ? { class: className } : null, text);
  }

  function duration(seconds) {
    const total = Math.max(0, Math.floor(seconds));
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const secs = total % 60;
    if (hours) return hours + "小时" + String(minutes).padStart(2, "0") + "分";
    if (minutes) return minutes + "分" + String(secs).padStart(2, "0") + "秒";
    return secs + "秒";
  }

  function yuan(value) {
    return value == null || value === "" ? "—" : "¥" + value;
  }

  function errorText(status, body) {
    return C.errorText(status, body, ERROR_TEXT, STATUS_TEXT);
  }

  function showNotice(text) {
    el.notice.textContent = text;
    el.notice.hidden = false;
    clearTimeout(s.noticeTimer);
    s.noticeTimer = setTimeout(() => { el.notice.hidden = true; }, NOTICE_MS);
  }

  function showResult(node, text, isError) {
    node.textContent = text;
    node.hidden = false;
    node.classList.toggle("is-error", Boolean(isError));
  }

  /** fetch with the agent token; resolves {ok, status, body}; a 401 ends the session. */
  async function api(method, path, payload) {
    let result;
    try {
      result = await C.fetchJson(method, path, payload, s.session && s.session.token);
    } catch (err) {
      return { ok: false, status: 0, body: null, text: "网络连接异常，请稍后重试" };
    }
    result.text = result.ok ? "" : errorText(result.status, result.body);
    if (result.status === 401 && s.session && !path.endsWith("/login")) sessionExpired();
    return result;
  }

  function isSupervisor() {
    return Boolean(s.session && s.session.role === "supervisor");
  }

  // ---------- login ----------

  async function login(event) {
    event.preventDefault();
    const username = el.username.value.trim();
    const password = el.password.value;
    if (!username || !password) {
      showLoginError("请输入用户名和密码");
      return;
    }
    showLoginError("");
    el.loginButton.disabled = true;
    const result = await api("POST", "/api/agent/login", { username, password });
    el.loginButton.disabled = false;
    if (!result.ok || !result.body || !result.body.token) {
      showLoginError(loginErrorText(result));
      return;
    }
    el.password.value = "";
    s.session = {
      token: result.body.token,
      username: result.body.username,
      display_name: result.body.display_name,
      role: result.body.role,
    };
    store(KEY.session, s.session);
    startConsole();
  }

  function loginErrorText(result) {
    const detail = result.body && result.body.detail;
    const hasMessage = detail && typeof detail === "object" && typeof detail.message === "string" && detail.message;
    if (result.status === 401 && !hasMessage) return ERROR_TEXT.bad_credentials;
    return result.text || "登录失败，请稍后再试";
  }

  function showLoginError(text) {
    el.loginError.textContent = text;
    el.loginError.hidden = !text;
  }

  function logout() {
    stopConsole();
    s.session = null;
    [KEY.session, KEY.mine, KEY.open].forEach((key) => store(key, null));
    s.mine = [];
    el.loginView.hidden = false;
    el.consoleView.hidden = true;
    el.meBox.hidden = true;
    el.username.focus();
  }

  function sessionExpired() {
    logout();
    showLoginError(ERROR_TEXT.invalid_token);
  }

  function startConsole() {
    el.loginView.hidden = true;
    el.consoleView.hidden = false;
    el.meBox.hidden = false;
    el.me.textContent = s.session.display_name + "（" + s.session.username + "，"
      + (isSupervisor() ? "主管" : "坐席") + "）";
    el.agentsPanel.hidden = !isSupervisor();
    s.mine = load(KEY.mine, []) || [];
    renderMine();
    connect();
    refreshQueue();
    if (isSupervisor()) {
      refreshAgents();
      s.agentsTimer = setInterval(refreshAgents, 20000);
    }
    s.tickTimer = setInterval(tickWaiting, 1000);
    const openId = load(KEY.open, null);
    if (openId) openConversation(openId);
    else showConversation(null);
  }

  function stopConsole() {
    disconnect();
    clearInterval(s.agentsTimer);
    clearInterval(s.tickTimer);
    s.queue = [];
    s.openId = null;
    s.detail = null;
    renderQueue([]);
    showConversation(null);
  }

  // ---------- WebSocket ----------

  // Reopened with backoff after a drop; 4401 means the agent token was refused.
  const socket = C.reconnectingSocket({
    path: () => "/api/agent/ws",
    hello: () => ({ type: "auth", token: s.session.token }),
    canConnect: () => Boolean(s.session),
    onStatus: setWsStatus,
    onFrame: handleFrame,
    onOpen: (reconnected) => {
      if (reconnected && s.openId) reloadConversation();
    },
    onClose: () => {
      s.agentTyping = null;
    },
    onRejected: sessionExpired,
  });
  const connect = socket.connect;
  const disconnect = socket.disconnect;

  function setWsStatus(status) {
    el.wsStatus.dataset.status = status;
    el.wsStatus.textContent = { online: "实时连接", connecting: "连接中…", offline: "连接断开，重连中", idle: "" }[status] || "";
  }

  function handleFrame(frame) {
    if (!frame || typeof frame !== "object") return;
    if (frame.type === "queue") renderQueue(frame.items || []);
    else if (frame.type === "message") onLiveMessage(frame.message);
    else if (frame.type === "typing") onCustomerTyping(frame);
    else if (frame.type === "state" && frame.conversation_id === s.openId) renderState(frame.state);
  }

  function onLiveMessage(message) {
    if (!message) return;
    if (message.conversation_id === s.openId) {
      appendMessage(message);
      if (message.sender === "customer") hideCustomerTyping();
      return;
    }
    const mine = s.mine.find((item) => item.conversation_id === message.conversation_id);
    if (mine && message.sender === "customer") {
      mine.unread = (mine.unread || 0) + 1;
      store(KEY.mine, s.mine);
      renderMine();
    }
  }

  function onCustomerTyping(frame) {
    if (frame.conversation_id !== s.openId) return;
    clearTimeout(s.typingTimer);
    el.typing.hidden = !frame.on;
    if (frame.on) s.typingTimer = setTimeout(hideCustomerTyping, 15000);
  }

  /** Tell the cardholder the agent is typing (an agent WS frame the backend forwards as who=agent). */
  function startAgentTyping() {
    const conversationId = s.openId;
    if (!conversationId || s.agentTyping === conversationId || !socket.isOpen()) return;
    socket.send({ type: "typing", conversation_id: conversationId, on: true });
    s.agentTyping = conversationId;
  }

  function onReplyInput() {
    refreshReplyButton();
    if (el.reply.value.trim() === "") {
      stopAgentTyping();
      return;
    }
    if (s.agentTyping && s.agentTyping !== s.openId) stopAgentTyping();
    startAgentTyping();
    clearTimeout(s.agentTypingTimer);
    s.agentTypingTimer = setTimeout(stopAgentTyping, TYPING_IDLE_MS);
  }

  function stopAgentTyping() {
    clearTimeout(s.agentTypingTimer);
    if (s.agentTyping) socket.send({ type: "typing", conversation_id: s.agentTyping, on: false });
    s.agentTyping = null;
  }

  function hideCustomerTyping() {
    clearTimeout(s.typingTimer);
    el.typing.hidden = true;
  }

  // ---------- queue ----------

  async function refreshQueue() {
    const result = await api("GET", "/api/agent/queue");
    if (result.ok && result.body && Array.isArray(result.body.items)) renderQueue(result.body.items);
  }

  function renderQueue(items) {
    const chosen = {};
    el.queue.querySelectorAll(".reassign").forEach((select) => { chosen[select.dataset.handoffId] = select.value; });
    s.queue = items;
    s.queueAt = Date.now();
    el.queue.replaceChildren(...items.map((item) => queueItem(item, chosen[String(item.handoff_id)])));
    el.queueCount.textContent = String(items.filter((item) => item.status === "waiting").length);
    el.queueEmpty.hidden = items.length > 0;
  }

  function queueItem(item, chosenAgent) {
    const li = make("li", "queue-item");
    li.dataset.handoffId = String(item.handoff_id);
    li.dataset.conversationId = item.conversation_id;
    li.dataset.status = item.status;
    li.classList.toggle("is-open", item.conversation_id === s.openId);

    const top = make("div", "qi-row");
    const reason = make("span", "qi-reason reason-" + item.reason, REASON[item.reason] || item.reason);
    const priority = make("span", "qi-priority", "优先级 " + item.priority);
    const wait = make("span", "qi-wait", "");
    wait.dataset.baseSeconds = String(item.waiting_seconds || 0);
    wait.dataset.counting = item.status === "waiting" ? "1" : "0";
    top.append(reason, priority, wait);

    const middle = make("div", "qi-row");
    const customer = make("span", "qi-customer", item.customer_masked || "匿名客户");
    const verified = make("span", "qi-verified" + (item.verified ? " is-verified" : ""), item.verified ? "已核实" : "未核实");
    const due = make("span", "qi-due", "应还 " + yuan(item.total_due));
    middle.append(customer, verified, due);

    const bottom = make("div", "qi-row qi-meta");
    bottom.append(make("span", "qi-sentiment sentiment-" + item.sentiment, "情绪：" + (SENTIMENT[item.sentiment] || item.sentiment || "—")));
    if (item.callback) bottom.append(make("span", "qi-callback", "需回电"));
    bottom.append(make("span", "qi-ref", item.reference || ""));

    li.append(top, middle, bottom, queueActions(item, chosenAgent));
    updateWait(wait);
    return li;
  }

  function queueActions(item, chosenAgent) {
    const actions = make("div", "qi-actions");
    if (item.status === "waiting") {
      const claim = make("button", "btn btn-primary claim", "领取");
      claim.type = "button";
      claim.addEventListener("click", () => claimHandoff(item, claim));
      actions.append(claim);
    } else {
      actions.append(make("span", "qi-status", (STATUS[item.status] || item.status)
        + (item.assigned_agent ? "：" + item.assigned_agent : "")));
      const view = make("button", "btn btn-ghost open-conv", "查看");
      view.type = "button";
      view.addEventListener("click", () => openConversation(item.conversation_id));
      actions.append(view);
    }
    if (isSupervisor()) actions.append(...reassignControls(item, chosenAgent));
    return actions;
  }

  function reassignControls(item, chosenAgent) {
    const select = make("select", "reassign");
    select.dataset.handoffId = String(item.handoff_id);
    select.setAttribute("aria-label", "改派给");
    select.append(new Option("改派给…", ""));
    s.agents.forEach((agent) => {
      select.append(new Option(agent.display_name + "（" + agent.username + "）", agent.username));
    });
    if (chosenAgent) select.value = chosenAgent;
    const assign = make("button", "btn btn-secondary assign", "改派");
    assign.type = "button";
    assign.addEventListener("click", () => assignHandoff(item, select.value, assign));
    return [select, assign];
  }

  function updateWait(node) {
    const base = Number(node.dataset.baseSeconds || 0);
    const extra = node.dataset.counting === "1" ? (Date.now() - s.queueAt) / 1000 : 0;
    node.textContent = "等待 " + duration(base + extra);
  }

  function tickWaiting() {
    el.queue.querySelectorAll(".qi-wait").forEach(updateWait);
  }

  async function claimHandoff(item, button) {
    button.disabled = true;
    const result = await api("POST", "/api/agent/handoffs/" + encodeURIComponent(item.handoff_id) + "/claim");
    button.disabled = false;
    if (!result.ok || !result.body || !result.body.conversation) {
      showNotice(result.text || "领取失败，请稍后再试");
      if (result.status === 409) refreshQueue();
      return;
    }
    rememberMine(result.body.conversation, item);
    showDetail(result.body.conversation);
  }

  async function assignHandoff(item, username, button) {
    if (!username) {
      showNotice("请选择要改派的坐席");
      return;
    }
    button.disabled = true;
    const result = await api("POST", "/api/agent/handoffs/" + encodeURIComponent(item.handoff_id) + "/assign", { username });
    button.disabled = false;
    if (!result.ok) {
      showNotice(result.text);
      return;
    }
    showNotice("已将 " + (item.reference || "对话") + " 改派给 " + username);
    refreshQueue();
    refreshAgents();
  }

  async function refreshAgents() {
    if (!isSupervisor()) return;
    const result = await api("GET", "/api/agent/agents");
    if (!result.ok || !result.body || !Array.isArray(result.body.items)) return;
    s.agents = result.body.items;
    el.agentsList.replaceChildren(...s.agents.map((agent) => {
      const li = make("li", "agent-item");
      li.append(make("span", "agent-name", agent.display_name + "（" + agent.username + "）"),
        make("span", "agent-role", agent.role === "supervisor" ? "主管" : "坐席"),
        make("span", "agent-load", "进行中 " + (agent.active_conversations || 0)));
      return li;
    }));
    renderQueue(s.queue);
  }

  // ---------- my conversations ----------

  function rememberMine(detail, item) {
    const handoff = detail.handoff || item || {};
    if (!s.mine.some((other) => other.conversation_id === detail.conversation_id)) {
      s.mine.push({
        conversation_id: detail.conversation_id,
        reference: handoff.reference || "",
        customer: handoff.customer_masked || "匿名客户",
        reason: handoff.reason || "",
        unread: 0,
      });
      store(KEY.mine, s.mine);
    }
    renderMine();
  }

  function forgetMine(conversationId) {
    s.mine = s.mine.filter((item) => item.conversation_id !== conversationId);
    store(KEY.mine, s.mine);
    renderMine();
  }

  function renderMine() {
    el.mine.replaceChildren(...s.mine.map((item) => {
      const li = make("li", "my-item" + (item.conversation_id === s.openId ? " is-open" : ""));
      const button = make("button", "my-open", item.customer + " · " + (REASON[item.reason] || item.reason || "对话"));
      button.type = "button";
      button.addEventListener("click", () => openConversation(item.conversation_id));
      li.append(button, make("span", "qi-ref", item.reference));
      if (item.unread) li.append(make("span", "unread-badge", String(item.unread)));
      return li;
    }));
    el.mineEmpty.hidden = s.mine.length > 0;
  }

  // ---------- conversation pane ----------

  async function openConversation(conversationId) {
    const result = await api("GET", "/api/agent/conversations/" + encodeURIComponent(conversationId));
    if (!result.ok || !result.body) {
      showNotice(result.text || "无法打开对话");
      if (result.status === 404 || result.status === 403) {
        forgetMine(conversationId);
        if (s.openId === conversationId) showConversation(null);
      }
      return;
    }
    showDetail(result.body);
  }

  async function reloadConversation() {
    const result = await api("GET", "/api/agent/conversations/" + encodeURIComponent(s.openId));
    if (result.ok && result.body && result.body.conversation_id === s.openId) {
      (result.body.messages || []).forEach(appendMessage);
      renderState(result.body.state);
    }
  }

  function showConversation(conversationId) {
    s.openId = conversationId;
    store(KEY.open, conversationId);
    el.conversation.hidden = !conversationId;
    el.conversationEmpty.hidden = Boolean(conversationId);
    el.outcomeEmpty.hidden = Boolean(conversationId);
    el.outcomeForms.forEach((form) => { form.hidden = !conversationId; });
    if (!conversationId) {
      el.state.textContent = "";
      el.title.textContent = "对话";
    }
    el.queue.querySelectorAll(".queue-item").forEach((li) => {
      li.classList.toggle("is-open", li.dataset.conversationId === conversationId);
    });
    renderMine();
  }

  function showDetail(detail) {
    const switching = detail.conversation_id !== s.openId;
    s.detail = detail;
    if (switching) {
      stopAgentTyping();
      el.reply.value = "";
      s.seen = new Set();
      el.transcript.replaceChildren();
      el.outcomeResults.forEach((node) => { node.hidden = true; });
      hideCustomerTyping();
      prefillComplaint(detail.summary || {});
    }
    showConversation(detail.conversation_id);
    const mine = s.mine.find((item) => item.conversation_id === detail.conversation_id);
    if (mine && mine.unread) {
      mine.unread = 0;
      store(KEY.mine, s.mine);
      renderMine();
    }
    const handoff = detail.handoff;
    el.title.textContent = "对话 " + (handoff && handoff.reference ? handoff.reference : detail.conversation_id);
    renderSummary(detail.summary || {}, handoff);
    (detail.messages || []).forEach(appendMessage);
    renderNotes(detail.notes || []);
    renderState(detail.state);
    el.transcript.scrollTop = el.transcript.scrollHeight;
  }

  function renderState(state) {
    if (!state) return;
    if (s.detail) s.detail.state = state;
    let text = MODE[state.mode] || state.mode;
    if (state.mode === "agent" && state.agent_name) text += "（" + state.agent_name + "）";
    if (state.mode === "waiting" && state.queue_position != null) text += "，排队第" + state.queue_position + "位";
    el.state.textContent = text;
    el.state.dataset.mode = state.mode;
    const active = state.mode === "agent";
    el.reply.disabled = !active;
    el.release.disabled = !active;
    el.close.disabled = state.mode === "closed";
    el.closeOutcome.disabled = state.mode === "closed";
    refreshReplyButton();
  }

  function refreshReplyButton() {
    const text = el.reply.value;
    el.replyCounter.textContent = text.length + "/" + MAX_LENGTH;
    el.send.disabled = el.reply.disabled || text.trim() === "" || text.length > MAX_LENGTH;
  }

  // ---------- summary card ----------

  function summaryRow(list, label, value) {
    list.append(make("dt", "", label), make("dd", "", value == null || value === "" ? "—" : value));
  }

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
    const identity = make("dd", verified ? "tag tag-ok" : "tag tag-warn", verified ? "已核实身份" : "未核实身份");
    basics.append(make("dt", "", "身份"), identity);
    const customer = summary.customer || {};
    summaryRow(basics, "客户", customer.name || (handoff && handoff.customer_masked) || "匿名客户");
    if (summary.card) summaryRow(basics, "卡号", summary.card);
    const reason = summary.reason || (handoff && handoff.reason);
    summaryRow(basics, "转人工原因", REASON[reason] || reason);
    const sentiment = summary.sentiment || (handoff && handoff.sentiment);
    summaryRow(basics, "情绪", SENTIMENT[sentiment] || sentiment);
    const intents = Array.isArray(summary.intents) ? summary.intents : [];
    summaryRow(basics, "客户意图", intents.map((intent) => INTENT[intent] || intent).join("、"));
    card.append(basics);

    if (summary.figures && typeof summary.figures === "object") card.append(figuresSection(summary.figures));
    card.append(recordsSection("还款承诺", summary.promises, (p) => p.reference + "：" + yuan(p.amount) + "，" + p.date + " 前"));
    card.append(recordsSection("分期方案", summary.plans,
      (p) => p.reference + "：" + p.term_months + " 期，每期 " + yuan(p.monthly_payment)));
    if (Array.isArray(summary.complaints) && summary.complaints.length) {
      card.append(recordsSection("投诉", summary.complaints, (c) => (c.reference || "#" + c.id) + "："
        + (COMPLAINT_CATEGORY[c.category] || c.category || "投诉") + "，" + (CASE_STATUS[c.status] || c.status || "")));
    }
    if (Array.isArray(summary.last_messages) && summary.last_messages.length) {
      card.append(recordsSection("客户最近的话", summary.last_messages, (text) => String(text)));
    }
  }

  function figuresSection(figures) {
    const section = summarySection("账务数据");
    const list = make("dl", "summary-grid");
    FIGURES.forEach(([key, label, kind]) => {
      if (!(key in figures)) return;
      const value = figures[key];
      let text = value;
      if (kind === "money") text = yuan(value);
      else if (kind === "days") text = value == null ? "—" : value + " 天";
      else if (kind === "bool") text = value ? "是" : "否";
      summaryRow(list, label, text);
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

  /** The first unresolved complaint of the conversation (summary.complaints), if there is one. */
  function prefillComplaint(summary) {
    const complaints = Array.isArray(summary.complaints) ? summary.complaints : [];
    const complaint = complaints.find((c) => c && c.status !== "resolved" && c.status !== "rejected") || complaints[0];
    const key = complaint ? (complaint.reference || complaint.id) : summary.complaint_id;
    el.complaintId.value = key != null ? String(key) : "";
  }

  // ---------- transcript and notes ----------

  function senderLabel(message) {
    if (message.sender === "customer") return "客户";
    if (message.sender === "bot") return "智能助手";
    if (message.sender === "agent") return message.agent_name || "人工客服";
    return "系统";
  }

  function appendMessage(message) {
    if (!message || typeof message.id !== "number" || s.seen.has(message.id)) return;
    if (message.conversation_id && s.openId && message.conversation_id !== s.openId) return;
    s.seen.add(message.id);
    const sender = ["customer", "bot", "agent", "system"].includes(message.sender) ? message.sender : "system";
    const row = make("div", "msg msg-" + sender);
    row.dataset.id = String(message.id);
    row.append(make("div", "msg-sender", senderLabel(message)), make("div", "msg-bubble", message.text),
      make("div", "msg-time", clockTime(message.created_at)));
    if (Array.isArray(message.buttons) && message.buttons.length) {
      row.append(make("div", "msg-buttons", "按钮：" + message.buttons.map((b) => b.title).join(" / ")));
    }
    const stick = el.transcript.scrollHeight - el.transcript.scrollTop - el.transcript.clientHeight < 80;
    const later = Array.from(el.transcript.children).find((other) => Number(other.dataset.id) > message.id);
    el.transcript.insertBefore(row, later || null);
    if (stick || sender === "agent") el.transcript.scrollTop = el.transcript.scrollHeight;
  }

  function renderNotes(notes) {
    el.notes.replaceChildren(...notes.map(noteItem));
  }

  function noteItem(note) {
    const li = make("li", "note");
    li.append(make("span", "note-meta", (note.agent || "") + " " + clockTime(note.created_at)),
      make("p", "note-text", note.text));
    return li;
  }

  async function sendReply(event) {
    event.preventDefault();
    const text = el.reply.value;
    if (!s.openId || text.trim() === "") return;
    const conversationId = s.openId;
    stopAgentTyping();
    el.send.disabled = true;
    const result = await api("POST", "/api/agent/conversations/" + encodeURIComponent(conversationId) + "/messages", { text });
    if (!result.ok || !result.body) {
      showNotice(result.text);
      refreshReplyButton();
      return;
    }
    if (conversationId === s.openId) {
      el.reply.value = "";
      appendMessage(result.body.message);
    }
    refreshReplyButton();
  }

  async function addNote(event) {
    event.preventDefault();
    const text = el.note.value.trim();
    if (!s.openId || !text) return;
    el.noteSend.disabled = true;
    const result = await api("POST", "/api/agent/conversations/" + encodeURIComponent(s.openId) + "/notes", { text });
    el.noteSend.disabled = false;
    if (!result.ok || !result.body || !result.body.note) {
      showNotice(result.text);
      return;
    }
    el.note.value = "";
    el.notes.append(noteItem(result.body.note));
  }

  async function release() {
    if (!s.openId) return;
    const conversationId = s.openId;
    el.release.disabled = true;
    const result = await api("POST", "/api/agent/conversations/" + encodeURIComponent(conversationId) + "/release");
    if (!result.ok || !result.body) {
      showNotice(result.text);
      el.release.disabled = false;
      return;
    }
    forgetMine(conversationId);
    if (conversationId === s.openId) renderState(result.body.state);
    showNotice("已交回智能助手");
  }

  async function closeConversation() {
    if (!s.openId) return;
    const conversationId = s.openId;
    el.close.disabled = true;
    const outcome = el.closeOutcome.value;
    const result = await api("POST", "/api/agent/conversations/" + encodeURIComponent(conversationId) + "/close", { outcome });
    if (!result.ok || !result.body) {
      showNotice(result.text);
      el.close.disabled = false;
      return;
    }
    forgetMine(conversationId);
    if (conversationId === s.openId) renderState(result.body.state);
    showNotice("对话已结束");
  }

  function onReplyKeydown(event) {
    if (!C.isSendKey(event)) return;
    event.preventDefault();
    el.replyForm.requestSubmit();
  }

  // ---------- outcome forms ----------

  /** "3,000" / "¥3000.5" -> "3000.50"; null when it is not an amount of yuan and fen. */
  function normalizeAmount(raw) {
    const text = String(raw).replace(/[¥,，\s元]/g, "");
    const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
    if (!match) return null;
    const whole = match[1].replace(/^0+(?=\d)/, "");
    if (whole === "0" && !/[1-9]/.test(match[2] || "")) return null;
    return whole + "." + (match[2] || "").padEnd(2, "0");
  }

  async function postOutcome(path, payload, resultNode, button, describe) {
    if (!s.openId) return;
    button.disabled = true;
    const result = await api("POST", "/api/agent/conversations/" + encodeURIComponent(s.openId) + path, payload);
    button.disabled = false;
    if (!result.ok || !result.body) {
      showResult(resultNode, result.text, true);
      return false;
    }
    showResult(resultNode, describe(result.body), false);
    return true;
  }

  async function submitPromise(event) {
    event.preventDefault();
    const amount = normalizeAmount(el.promiseAmount.value);
    const date = el.promiseDate.value;
    if (!amount) {
      showResult(el.promiseResult, "请输入正确的金额，例如 3000.00", true);
      return;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      showResult(el.promiseResult, "请选择还款日期", true);
      return;
    }
    await postOutcome("/promise", { amount, date }, el.promiseResult, el.promiseSubmit,
      (body) => "已登记还款承诺，编号 " + body.reference);
  }

  async function submitPlan(event) {
    event.preventDefault();
    const term = Number(el.planTerm.value);
    await postOutcome("/plan", { term_months: term }, el.planResult, el.planSubmit, (body) => {
      let text = "已办理分期，编号 " + body.reference;
      if (body.monthly_payment) text += "；每期 " + yuan(body.monthly_payment);
      if (body.total_fee) text += "；总手续费 " + yuan(body.total_fee);
      if (body.annual_rate) text += "；年化利率 " + body.annual_rate;
      return text;
    });
  }

  async function submitDispute(event) {
    event.preventDefault();
    const description = el.disputeDescription.value.trim();
    if (!description) {
      showResult(el.disputeResult, "请填写异议说明", true);
      return;
    }
    const ok = await postOutcome("/dispute", { description }, el.disputeResult, el.disputeSubmit,
      (body) => "已提交账单异议，编号 " + body.reference);
    if (ok) el.disputeDescription.value = "";
  }

  async function submitComplaint(event) {
    event.preventDefault();
    const complaintId = el.complaintId.value.trim();
    const resolution = el.complaintResolution.value.trim();
    if (!complaintId || !resolution) {
      showResult(el.complaintResult, "请填写投诉编号和处理结果", true);
      return;
    }
    el.complaintSubmit.disabled = true;
    const result = await api("POST", "/api/agent/complaints/" + encodeURIComponent(complaintId) + "/resolve", { resolution });
    el.complaintSubmit.disabled = false;
    if (!result.ok || !result.body) {
      showResult(el.complaintResult, result.text, true);
      return;
    }
    showResult(el.complaintResult, "已记录投诉处理结果，编号 " + result.body.reference, false);
    el.complaintResolution.value = "";
  }

  // ---------- start ----------

  function collectElements() {
    Object.assign(el, {
      notice: $("console-notice"), loginView: $("login-view"), consoleView: $("console-view"),
      meBox: $("agent-me-box"), me: $("agent-me"), logout: $("agent-logout"), wsStatus: $("ws-status"),
      loginForm: $("agent-login-form"), username: $("agent-username"), password: $("agent-password"),
      loginButton: $("agent-login"), loginError: $("agent-login-error"),
      queue: $("queue"), queueCount: $("queue-count"), queueEmpty: $("queue-empty"),
      mine: $("my-conversations"), mineEmpty: $("my-empty"), agentsPanel: $("agents-panel"), agentsList: $("agents-list"),
      title: $("conversation-title"), state: $("conv-state"), conversation: $("conversation"),
      conversationEmpty: $("conversation-empty"), summary: $("summary"), transcript: $("transcript"),
      typing: $("customer-typing"), replyForm: $("reply-form"), reply: $("agent-reply"), send: $("agent-send"),
      replyCounter: $("agent-reply-counter"), release: $("release"), close: $("close"), closeOutcome: $("close-outcome"),
      notes: $("notes-list"), noteForm: $("note-form"), note: $("agent-note"), noteSend: $("agent-note-send"),
      outcomeEmpty: $("outcome-empty"),
      promiseForm: $("form-promise"), promiseAmount: $("promise-amount"), promiseDate: $("promise-date"),
      promiseSubmit: $("promise-submit"), promiseResult: $("promise-result"),
      planForm: $("form-plan"), planTerm: $("plan-term"), planSubmit: $("plan-submit"), planResult: $("plan-result"),
      disputeForm: $("form-dispute"), disputeDescription: $("dispute-description"), disputeSubmit: $("dispute-submit"),
      disputeResult: $("dispute-result"),
      complaintForm: $("form-complaint"), complaintId: $("complaint-id"), complaintResolution: $("complaint-resolution"),
      complaintSubmit: $("complaint-submit"), complaintResult: $("complaint-result"),
    });
    el.outcomeForms = [el.promiseForm, el.planForm, el.disputeForm, el.complaintForm];
    el.outcomeResults = [el.promiseResult, el.planResult, el.disputeResult, el.complaintResult];
  }

  function bindEvents() {
    el.loginForm.addEventListener("submit", login);
    el.logout.addEventListener("click", logout);
    el.replyForm.addEventListener("submit", sendReply);
    el.reply.addEventListener("input", onReplyInput);
    el.reply.addEventListener("keydown", onReplyKeydown);
    el.noteForm.addEventListener("submit", addNote);
    el.release.addEventListener("click", release);
    el.close.addEventListener("click", closeConversation);
    el.promiseForm.addEventListener("submit", submitPromise);
    el.planForm.addEventListener("submit", submitPlan);
    el.disputeForm.addEventListener("submit", submitDispute);
    el.complaintForm.addEventListener("submit", submitComplaint);
  }

  function init() {
    collectElements();
    bindEvents();
    s.session = load(KEY.session, null);
    if (s.session && s.session.token) startConsole();
    else {
      showConversation(null);
      el.username.focus();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();

  return { init };
})();
