"use strict";
/*
 * Chat widget for the bank site: a launcher in the bottom-right corner and a chat panel.
 *
 * Talks to the chat gateway (api_contract.md, "Chat (cardholder)"): starts a conversation over
 * HTTP, sends messages with POST /api/chat/messages (idempotent by client_id) and receives
 * everything else over the WebSocket, which is reopened with backoff after a drop and replays
 * what was missed (after=<last id seen>). Message text only ever goes into the page through
 * textContent, never as HTML.
 *
 * Public API (the one global of this file): ChatWidget.mount(identity), ChatWidget.setIdentity(
 * identity, {restart}), ChatWidget.open(), ChatWidget.close(). identity = {token, owner, label}.
 * On a rejected bank token the widget fires the DOM event "chatwidget:auth-expired" on document.
 */
const ChatWidget = (function () {
  const MAX_LENGTH = 1000;
  const TYPING_IDLE_MS = 2500;
  const TYPING_SAFETY_MS = 15000;
  const NOTICE_MS = 6000;
  const SEND_RETRIES = 3;
  const KEY = {
    conversation: "chatWidget.conversation",
    lastId: "chatWidget.lastId",
    titles: "chatWidget.payloadTitles",
    mode: "chatWidget.mode",
    open: "chatWidget.open",
  };
  const SENDER_LABEL = { bot: "智能助手", agent: "人工客服", system: "", customer: "" };
  const ERROR_TEXT = {
    message_too_long: "消息过长，最多" + MAX_LENGTH + "字",
    empty_message: "请输入内容后再发送",
    rate_limited: "发送太频繁，请稍后再试",
    invalid_token: "登录已失效，请重新登录",
    expired_token: "登录已过期，请重新登录",
  };
  const STATUS_TEXT = {
    400: "请求有误，请稍后再试",
    401: "身份验证失败，请重新开始对话",
    403: "对话已结束，请开始新对话",
    404: "对话不存在，请重新开始对话",
    413: ERROR_TEXT.message_too_long,
    422: "输入内容有误，请检查后再发送",
    429: ERROR_TEXT.rate_limited,
  };

  const s = {
    identity: { token: null, owner: "anonymous", label: "匿名咨询" },
    conversation: null,
    lastId: 0,
    seen: new Set(),
    titles: {},
    pending: [],
    mode: "bot",
    starting: null,
    typingSent: false,
    typingTimer: null,
    typingSafetyTimer: null,
    noticeTimer: null,
    unread: 0,
    rejections: [],
    isOpen: false,
    mounted: false,
    el: {},
  };

  // ---------- small helpers (the shared ones live in common.js) ----------

  const C = PageCommon;
  const make = C.make;
  const store = C.store;
  const load = C.load;
  /** fetch + JSON; resolves {ok, status, body}, rejects only when the network fails. */
  const request = C.fetchJson;

  function newClientId() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /** HH:MM of a stored message; a row still being sent (no created_at) shows the time now. */
  function clockTime(iso) {
    return C.clockTime(iso || new Date());
  }

  function errorText(status, body) {
    return C.errorText(status, body, ERROR_TEXT, STATUS_TEXT);
  }

  function errorCode(body) {
    const detail = body && body.detail;
    return detail && typeof detail === "object" && !Array.isArray(detail) ? detail.code || "" : "";
  }

  function delay(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  // ---------- DOM ----------

  function build() {
    const launcher = make("button", { id: "chat-launcher", type: "button", "aria-controls": "chat-panel",
      "aria-expanded": "false" });
    launcher.append(make("span", { class: "chat-launcher-icon", "aria-hidden": "true" }),
      make("span", { class: "chat-launcher-text" }, "在线客服"),
      make("span", { id: "chat-unread", class: "chat-unread", hidden: "" }));

    const panel = make("section", { id: "chat-panel", role: "dialog", "aria-label": "在线客服", hidden: "" });
    const header = make("header", { class: "chat-header" });
    const titles = make("div", { class: "chat-titles" });
    titles.append(make("h2", { class: "chat-title" }, "在线客服"),
      make("div", { id: "chat-identity", class: "chat-identity" }));
    const status = make("span", { id: "chat-status", class: "chat-status", "data-status": "idle" });
    const closeBtn = make("button", { id: "chat-close", type: "button", class: "chat-close", "aria-label": "关闭" }, "×");
    header.append(titles, status, closeBtn);

    const banner = make("div", { id: "chat-banner", class: "chat-banner", role: "status", hidden: "" });
    const notice = make("div", { id: "chat-notice", class: "chat-notice", role: "alert", hidden: "" });
    const log = make("div", { id: "chat-messages", class: "chat-messages", role: "log", "aria-live": "polite" });
    const empty = make("p", { id: "chat-empty", class: "chat-empty" }, "您好，欢迎咨询信用卡账单、还款与分期问题。");
    log.append(empty);
    const typing = make("div", { id: "typing-indicator", class: "typing-indicator", hidden: "" }, "正在输入…");
    const restart = make("button", { id: "chat-restart", type: "button", class: "chat-restart", hidden: "" }, "开始新对话");

    const form = make("form", { id: "chat-form", class: "chat-form", autocomplete: "off" });
    const input = make("textarea", { id: "chat-input", rows: "1", maxlength: String(MAX_LENGTH),
      placeholder: "请输入您的问题", "aria-label": "输入消息" });
    const footer = make("div", { class: "chat-form-footer" });
    const counter = make("span", { id: "chat-counter", class: "chat-counter" }, "0/" + MAX_LENGTH);
    const send = make("button", { id: "chat-send", type: "submit", disabled: "" }, "发送");
    footer.append(counter, send);
    form.append(input, footer);

    panel.append(header, banner, notice, log, typing, restart, form);
    document.body.append(launcher, panel);
    s.el = { launcher, panel, banner, notice, log, empty, typing, restart, form, input, counter, send, status,
      identity: titles.querySelector("#chat-identity"), unread: launcher.querySelector("#chat-unread"), closeBtn };
  }

  function bindEvents() {
    const el = s.el;
    el.launcher.addEventListener("click", () => (s.isOpen ? close() : open()));
    el.closeBtn.addEventListener("click", close);
    el.restart.addEventListener("click", restartConversation);
    el.form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitInput();
    });
    el.input.addEventListener("keydown", onInputKeydown);
    el.input.addEventListener("input", onInputChange);
    el.log.addEventListener("click", onLogClick);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && s.isOpen) close();
    });
    window.addEventListener("online", () => {
      if (s.conversation && !socket.hasSocket()) socket.reconnectNow();
    });
  }

  function onInputKeydown(event) {
    // Enter sends, Shift+Enter is a new line; never send while an IME is composing Chinese.
    if (!C.isSendKey(event)) return;
    event.preventDefault();
    submitInput();
  }

  function onInputChange() {
    refreshComposer();
    autoGrow();
    sendTypingSoon();
  }

  function onLogClick(event) {
    const button = event.target.closest(".quick-reply");
    if (button && !button.disabled) {
      sendMessage(button.dataset.payload, button.textContent);
      return;
    }
    const retry = event.target.closest(".msg-retry");
    if (retry) retryPending(retry.closest(".msg"));
  }

  function autoGrow() {
    const input = s.el.input;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }

  function refreshComposer() {
    const text = s.el.input.value;
    s.el.counter.textContent = text.length + "/" + MAX_LENGTH;
    s.el.counter.classList.toggle("chat-counter-warn", text.length > MAX_LENGTH * 0.9);
    s.el.send.disabled = text.trim() === "" || text.length > MAX_LENGTH;
    // After an agent closes the conversation, writing again reaches the assistant; a fresh start stays one click away.
    s.el.restart.hidden = s.mode !== "closed";
  }

  function showIdentity() {
    s.el.identity.textContent = s.identity.label || (s.identity.token ? "已登录" : "匿名咨询");
  }

  function setStatus(status) {
    const label = { online: "在线", connecting: "连接中…", offline: "连接已断开", idle: "" }[status] || "";
    s.el.status.dataset.status = status;
    s.el.status.textContent = label;
  }

  function showNotice(text) {
    const notice = s.el.notice;
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(s.noticeTimer);
    s.noticeTimer = setTimeout(() => { notice.hidden = true; }, NOTICE_MS);
  }

  function setUnread(count) {
    s.unread = count;
    s.el.unread.textContent = count > 99 ? "99+" : String(count);
    s.el.unread.hidden = count === 0;
  }

  function nearBottom() {
    const log = s.el.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }

  function scrollToBottom() {
    s.el.log.scrollTop = s.el.log.scrollHeight;
  }

  // ---------- messages ----------

  function displayText(message) {
    if (message.sender === "customer" && Object.prototype.hasOwnProperty.call(s.titles, message.text)) {
      return s.titles[message.text];
    }
    return message.text == null ? "" : String(message.text);
  }

  function senderLabel(message) {
    if (message.sender === "agent") return message.agent_name || SENDER_LABEL.agent;
    return SENDER_LABEL[message.sender] || "";
  }

  function messageElement(message, text) {
    const sender = ["customer", "bot", "agent", "system"].includes(message.sender) ? message.sender : "system";
    const row = make("div", { class: "msg msg-" + sender });
    const label = senderLabel(message);
    if (label) row.append(make("div", { class: "msg-sender" }, label));
    row.append(make("div", { class: "msg-bubble" }, text));
    row.append(make("div", { class: "msg-time" }, clockTime(message.created_at)));
    return row;
  }

  function quickReplies(buttons) {
    const group = make("div", { class: "quick-replies" });
    buttons.forEach((button) => {
      if (!button || typeof button.payload !== "string") return;
      const title = button.title == null ? button.payload : String(button.title);
      const node = make("button", { type: "button", class: "quick-reply" }, title);
      node.dataset.payload = button.payload;
      group.append(node);
    });
    return group;
  }

  function rememberTitles(buttons) {
    let changed = false;
    buttons.forEach((button) => {
      if (button && typeof button.payload === "string" && button.title != null && s.titles[button.payload] !== String(button.title)) {
        s.titles[button.payload] = String(button.title);
        changed = true;
      }
    });
    if (changed) store(KEY.titles, s.titles);
  }

  /** Put a stored message's row where its id belongs, so the log is in id order. */
  function placeById(row, id) {
    row.dataset.id = String(id);
    // Before the first later message or the first one still being sent, else at the end.
    const next = Array.from(s.el.log.querySelectorAll(".msg"))
      .find((other) => other !== row && (other.dataset.id ? Number(other.dataset.id) > id
        : other.classList.contains("msg-pending")));
    if (next) s.el.log.insertBefore(row, next);
    else s.el.log.append(row);
  }

  /** Only the newest set of quick replies stays, and only until the cardholder answers. */
  function pruneQuickReplies() {
    const rows = Array.from(s.el.log.querySelectorAll(".msg"));
    let lastCustomer = -1;
    rows.forEach((row, index) => { if (row.classList.contains("msg-customer")) lastCustomer = index; });
    const groups = rows.map((row, index) => ({ row, index, group: row.querySelector(".quick-replies") }))
      .filter((item) => item.group);
    groups.forEach((item, position) => {
      if (item.index < lastCustomer || position < groups.length - 1) item.group.remove();
    });
  }

  function trackStreamId(id) {
    if (id > s.lastId) {
      s.lastId = id;
      store(KEY.lastId, id);
    }
  }

  /**
   * Show one stored message unless it is already on screen. `fromStream` is true for what the
   * WebSocket or GET /messages delivered (in id order, complete), which alone moves lastId.
   */
  function receiveMessage(message, fromStream) {
    if (!message || typeof message.id !== "number") return false;
    if (fromStream) trackStreamId(message.id);
    if (s.seen.has(message.id)) return false;
    if (message.sender === "customer" && claimPending(message)) return false;
    s.seen.add(message.id);
    const stick = nearBottom();
    if (Array.isArray(message.buttons) && message.buttons.length) rememberTitles(message.buttons);
    const row = messageElement(message, displayText(message));
    if (Array.isArray(message.buttons) && message.buttons.length) row.append(quickReplies(message.buttons));
    placeById(row, message.id);
    s.el.empty.hidden = true;
    pruneQuickReplies();
    if (message.sender === "bot" || message.sender === "agent") hideTyping();
    if (stick || message.sender === "customer") scrollToBottom();
    return true;
  }

  /** A customer message from the server may be one still shown as "sending": attach it. */
  function claimPending(message) {
    const match = s.pending.find((item) => !item.message && item.text === message.text);
    if (!match) return false;
    attachPending(match, message);
    return true;
  }

  function attachPending(item, message) {
    item.message = message;
    s.seen.add(message.id);
    item.row.classList.remove("msg-pending", "msg-failed");
    const retry = item.row.querySelector(".msg-retry");
    if (retry) retry.remove();
    item.row.querySelector(".msg-time").textContent = clockTime(message.created_at);
    placeById(item.row, message.id);
  }

  function finishPending(item, message) {
    if (!item.message) {
      if (s.seen.has(message.id)) item.row.remove();
      else attachPending(item, message);
    }
    s.pending = s.pending.filter((other) => other !== item);
  }

  function addPendingRow(text, shown) {
    const row = messageElement({ sender: "customer", created_at: null }, shown);
    row.classList.add("msg-pending");
    s.el.log.append(row);
    s.el.empty.hidden = true;
    pruneQuickReplies();
    scrollToBottom();
    const item = { clientId: newClientId(), text, shown, row, message: null };
    s.pending.push(item);
    return item;
  }

  function markFailed(item) {
    item.row.classList.remove("msg-pending");
    item.row.classList.add("msg-failed");
    if (!item.row.querySelector(".msg-retry")) {
      item.row.append(make("button", { type: "button", class: "msg-retry" }, "发送失败，点击重试"));
    }
  }

  function clearLog() {
    s.el.log.querySelectorAll(".msg").forEach((row) => row.remove());
    s.el.empty.hidden = false;
    s.seen = new Set();
    s.pending = [];
    s.lastId = 0;
  }

  // ---------- typing ----------

  function showTyping() {
    s.el.typing.hidden = false;
    clearTimeout(s.typingSafetyTimer);
    s.typingSafetyTimer = setTimeout(hideTyping, TYPING_SAFETY_MS);
  }

  function hideTyping() {
    s.el.typing.hidden = true;
    clearTimeout(s.typingSafetyTimer);
  }

  function sendFrame(frame) {
    return socket.send(frame);
  }

  function sendTypingSoon() {
    if (s.el.input.value.trim() === "") {
      stopTyping();
      return;
    }
    if (!s.typingSent && sendFrame({ type: "typing", on: true })) s.typingSent = true;
    clearTimeout(s.typingTimer);
    s.typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(s.typingTimer);
    if (s.typingSent) sendFrame({ type: "typing", on: false });
    s.typingSent = false;
  }

  // ---------- conversation state ----------

  function bannerText(state, previous) {
    switch (state.mode) {
      case "waiting": {
        let text = "正在为您转接人工客服";
        if (state.queue_position != null) text += "，前面还有" + state.queue_position + "位";
        if (state.estimated_wait_minutes != null) text += "，预计等待" + state.estimated_wait_minutes + "分钟";
        return text;
      }
      case "agent":
        return "人工客服" + (state.agent_name || "") + "已加入对话";
      case "callback":
        return "现在是非服务时间，客服会在服务时间内回电；智能助手可以继续为您解答";
      case "closed":
        return "人工客服已结束本次对话；继续输入，智能助手会为您解答";
      case "bot":
        return previous === "agent" ? "人工客服已离开，智能助手继续为您服务" : null;
      default:
        return null;
    }
  }

  function applyState(state) {
    if (!state || typeof state.mode !== "string") return;
    const previous = s.mode;
    const changed = previous !== state.mode;
    const stick = nearBottom(); // the banner and the restart button take height from the log
    s.mode = state.mode;
    store(KEY.mode, s.mode);
    // The server repeats the state after every connect; an unchanged "bot" keeps whatever shows.
    if (changed || state.mode !== "bot") {
      const text = bannerText(state, previous);
      s.el.banner.hidden = !text;
      s.el.banner.textContent = text || "";
      s.el.banner.dataset.mode = state.mode;
    }
    if (state.mode === "closed") {
      hideTyping();
      stopTyping();
      disconnect();
    }
    refreshComposer();
    if (stick) scrollToBottom();
  }

  function handleFrame(frame) {
    if (!frame || typeof frame !== "object") return;
    switch (frame.type) {
      case "message":
        if (receiveMessage(frame.message, true) && !s.isOpen && frame.message.sender !== "customer") {
          setUnread(s.unread + 1);
        }
        break;
      case "ack": {
        const item = s.pending.find((other) => other.clientId === frame.client_id);
        if (item && frame.message) finishPending(item, frame.message);
        else if (frame.message) receiveMessage(frame.message, false);
        break;
      }
      case "state":
        applyState(frame.state);
        break;
      case "typing":
        if (frame.on) showTyping();
        else hideTyping();
        break;
      case "error":
        showNotice(frame.message || ERROR_TEXT[frame.code] || "操作失败，请稍后再试");
        break;
      default:
        break;
    }
  }

  // ---------- WebSocket ----------

  // Reopened with backoff after a drop; 4401 means the conversation token was refused.
  const socket = C.reconnectingSocket({
    path: () => "/api/chat/ws",
    hello: () => ({ type: "auth", token: s.conversation.token, after: s.lastId }),
    canConnect: () => Boolean(s.conversation) && s.mode !== "closed",
    onStatus: setStatus,
    onFrame: handleFrame,
    onClose: () => {
      s.typingSent = false;
      hideTyping();
    },
    onRejected: conversationRejected,
    shouldReconnect: () => s.mode !== "closed",
    beforeRetry: (attempt) => {
      if (attempt > 1) catchUp();
    },
  });
  const connect = socket.connect;
  const disconnect = socket.disconnect;

  /** While the socket stays down, fetch what was missed over plain HTTP. */
  async function catchUp() {
    if (!s.conversation) return;
    try {
      const result = await request("GET", "/api/chat/messages?after=" + s.lastId, undefined, s.conversation.token);
      if (result.ok && result.body) {
        (result.body.messages || []).forEach((message) => receiveMessage(message, true));
        applyState(result.body.state);
      }
    } catch (err) { /* still offline; the next attempt tries again */ }
  }

  async function loadHistory() {
    const conversation = s.conversation;
    try {
      const result = await request("GET", "/api/chat/messages?after=0", undefined, conversation.token);
      if (conversation !== s.conversation) return;
      if (result.status === 401 || result.status === 404) {
        conversationRejected();
        return;
      }
      if (result.ok && result.body) {
        (result.body.messages || []).forEach((message) => receiveMessage(message, true));
        applyState(result.body.state);
      }
    } catch (err) { /* offline: the socket replays from the stored lastId instead */ }
    if (conversation === s.conversation) connect();
  }

  /** The conversation token was refused (close code 4401 or HTTP 401): begin a new conversation. */
  function conversationRejected() {
    forgetConversation();
    const now = Date.now();
    s.rejections = s.rejections.filter((at) => now - at < 60000).concat(now);
    if (s.rejections.length > 2) {
      showNotice("会话无法建立，请刷新页面后重试");
      return;
    }
    showNotice("会话已失效，已为您开始新的对话");
    if (s.isOpen) ensureConversation().catch(() => {});
  }

  // ---------- conversation lifecycle ----------

  function persistConversation() {
    store(KEY.conversation, s.conversation);
  }

  function forgetConversation() {
    disconnect();
    stopTyping();
    hideTyping();
    s.conversation = null;
    s.mode = "bot";
    s.titles = {};
    clearLog();
    s.el.banner.hidden = true;
    s.el.banner.textContent = "";
    [KEY.conversation, KEY.lastId, KEY.titles, KEY.mode].forEach((key) => store(key, null));
    refreshComposer();
  }

  function ensureConversation() {
    if (s.conversation) return Promise.resolve(s.conversation);
    if (!s.starting) {
      s.starting = startConversation().finally(() => { s.starting = null; });
    }
    return s.starting;
  }

  async function startConversation() {
    const identity = s.identity;
    setStatus("connecting");
    let result;
    try {
      result = await request("POST", "/api/chat/conversations", {}, identity.token);
    } catch (err) {
      setStatus("offline");
      showNotice("网络连接异常，请稍后重试");
      throw err;
    }
    if (identity !== s.identity) throw new Error("identity changed");
    if (!result.ok || !result.body || !result.body.token) {
      setStatus("idle");
      if (result.status === 401) document.dispatchEvent(new CustomEvent("chatwidget:auth-expired", {
        detail: { code: errorCode(result.body) },
      }));
      showNotice(errorText(result.status, result.body));
      throw new Error("conversation refused: " + result.status);
    }
    s.conversation = {
      conversation_id: result.body.conversation_id,
      token: result.body.token,
      verified: Boolean(result.body.verified_customer),
      owner: identity.owner,
    };
    s.mode = "bot";
    persistConversation();
    connect();
    return s.conversation;
  }

  function restartConversation() {
    forgetConversation();
    ensureConversation().catch(() => {});
    s.el.input.focus();
  }

  // ---------- sending ----------

  function submitInput() {
    const text = s.el.input.value;
    if (text.trim() === "") return;
    if (text.length > MAX_LENGTH) {
      showNotice(ERROR_TEXT.message_too_long);
      return;
    }
    s.el.input.value = "";
    refreshComposer();
    autoGrow();
    stopTyping();
    sendMessage(text, text);
  }

  /** Send `text` (a quick reply sends its payload and shows its title). */
  async function sendMessage(text, shown) {
    if (shown !== text) {
      s.titles[text] = shown;
      store(KEY.titles, s.titles);
    }
    const item = addPendingRow(text, shown);
    try {
      await ensureConversation();
    } catch (err) {
      markFailed(item);
      return;
    }
    await postPending(item);
  }

  async function postPending(item) {
    for (let attempt = 0; attempt < SEND_RETRIES; attempt += 1) {
      let result;
      try {
        result = await request("POST", "/api/chat/messages", { text: item.text, client_id: item.clientId },
          s.conversation && s.conversation.token);
      } catch (err) {
        await delay(1000 * (attempt + 1));
        continue;
      }
      if (result.ok && result.body && result.body.message) {
        finishPending(item, result.body.message);
        if (s.mode === "closed") {  // the assistant took the conversation up again: listen for it
          s.mode = "bot";
          store(KEY.mode, s.mode);
          connect();
        }
        return;
      }
      rejectPending(item, result);
      return;
    }
    markFailed(item);
    showNotice("网络连接异常，消息未发送");
  }

  function rejectPending(item, result) {
    item.row.remove();
    s.pending = s.pending.filter((other) => other !== item);
    showNotice(errorText(result.status, result.body));
    if (result.status === 401) conversationRejected();
    else if (s.el.input.value === "" && item.shown === item.text) {
      s.el.input.value = item.text; // give the cardholder their text back to shorten or resend
      refreshComposer();
    }
  }

  async function retryPending(row) {
    const item = s.pending.find((other) => other.row === row);
    if (!item) return;
    item.row.classList.remove("msg-failed");
    item.row.classList.add("msg-pending");
    const retry = item.row.querySelector(".msg-retry");
    if (retry) retry.remove();
    try {
      await ensureConversation();
    } catch (err) {
      markFailed(item);
      return;
    }
    await postPending(item);
  }

  // ---------- public ----------

  function open() {
    if (!s.mounted) return;
    s.isOpen = true;
    store(KEY.open, true);
    s.el.panel.hidden = false;
    s.el.launcher.setAttribute("aria-expanded", "true");
    document.documentElement.classList.add("chat-open");
    setUnread(0);
    ensureConversation().catch(() => {});
    scrollToBottom();
    s.el.input.focus();
  }

  function close() {
    s.isOpen = false;
    store(KEY.open, false);
    s.el.panel.hidden = true;
    s.el.launcher.setAttribute("aria-expanded", "false");
    document.documentElement.classList.remove("chat-open");
    stopTyping();
    s.el.launcher.focus();
  }

  /** Who is chatting; a different owner (or restart) throws the old conversation away. */
  function setIdentity(identity, options) {
    const next = {
      token: (identity && identity.token) || null,
      owner: (identity && identity.owner) || "anonymous",
      label: (identity && identity.label) || "匿名咨询",
    };
    const changed = next.owner !== s.identity.owner || next.token !== s.identity.token;
    s.identity = next;
    if (!s.mounted) return;
    showIdentity();
    if (changed || (options && options.restart)) {
      forgetConversation();
      if (s.isOpen) ensureConversation().catch(() => {});
    }
  }

  function restore() {
    const saved = load(KEY.conversation, null);
    if (!saved || saved.owner !== s.identity.owner || !saved.token) {
      [KEY.conversation, KEY.lastId, KEY.titles, KEY.mode].forEach((key) => store(key, null));
      return;
    }
    s.conversation = saved;
    s.titles = load(KEY.titles, {}) || {};
    s.mode = load(KEY.mode, "bot") || "bot";
    // History is fetched from 0 so the page shows it again; lastId then comes from the stream.
    loadHistory();
  }

  function mount(identity) {
    if (s.mounted) {
      setIdentity(identity);
      return;
    }
    build();
    bindEvents();
    s.mounted = true;
    s.identity = {
      token: (identity && identity.token) || null,
      owner: (identity && identity.owner) || "anonymous",
      label: (identity && identity.label) || "匿名咨询",
    };
    showIdentity();
    refreshComposer();
    restore();
    if (load(KEY.open, false)) open();
  }

  return { mount, setIdentity, open, close };
})();
