"use strict";
/*
 * What the chat widget (widget.js) and the agent console (agent.js) share: element building
 * with textContent only, sessionStorage JSON, HH:MM times, fetch + JSON with the error body
 * turned into a Chinese notice, and a WebSocket that reconnects with backoff.
 * Loaded before the page scripts; the one global of this file is PageCommon.
 */
const PageCommon = (function () {
  /** An element with attributes; text (if any) goes in through textContent, never as HTML. */
  function make(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => node.setAttribute(name, value));
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function store(key, value) {
    try {
      if (value === null || value === undefined) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, JSON.stringify(value));
    } catch (err) { /* storage full or disabled: the page still works for now */ }
  }

  function load(key, fallback) {
    try {
      const raw = sessionStorage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (err) {
      return fallback;
    }
  }

  /** "HH:MM" of an ISO time or Date; "" when there is none or it is not a valid time. */
  function clockTime(value) {
    if (!value) return "";
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return "";
    return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
  }

  /** The text to show for a failed request: the server's message, else by code, else by status. */
  function errorText(status, body, errorTexts, statusTexts) {
    const detail = body && body.detail;
    if (detail && typeof detail === "object" && !Array.isArray(detail)) {
      if (typeof detail.message === "string" && detail.message) return detail.message;
      if (errorTexts[detail.code]) return errorTexts[detail.code];
    }
    if (statusTexts[status]) return statusTexts[status];
    return status >= 500 ? "服务暂时不可用，请稍后再试" : "操作失败，请稍后再试";
  }

  /** fetch + JSON; resolves {ok, status, body}, rejects only when the network fails. */
  async function fetchJson(method, path, payload, token) {
    const headers = { Accept: "application/json" };
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    const response = await fetch(path, {
      method,
      headers,
      body: payload === undefined ? undefined : JSON.stringify(payload),
      credentials: "same-origin",
      cache: "no-store",
    });
    let body = null;
    try {
      body = await response.json();
    } catch (err) { /* empty or non-JSON body */ }
    return { ok: response.ok, status: response.status, body };
  }

  function wsUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  /** Enter sends, Shift+Enter is a new line; never send while an IME is composing Chinese. */
  function isSendKey(event) {
    return event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229;
  }

  /**
   * A WebSocket to this server that reopens with backoff after a drop. Only the newest socket's
   * events count (a generation counter), frames arrive parsed, close code 4401 means the token
   * was refused. The token never goes in the URL (servers log URLs): the first frame carries it.
   * Options:
   *   path()          the ws path, read at every connect
   *   hello()         the first frame, {type: "auth", token, ...}, read at every connect
   *   canConnect()    false while there is nothing to connect for
   *   onStatus(s)     "connecting" | "online" | "offline" | "idle"
   *   onFrame(frame)  one parsed JSON frame (non-JSON frames are dropped)
   *   onOpen(reconnected), onClose(event)   optional, after the bookkeeping
   *   onRejected()    the socket closed with 4401
   *   shouldReconnect()   optional, after any other close; false means stay idle
   *   beforeRetry(attempt)  optional, just before a scheduled reconnect
   */
  function reconnectingSocket(options) {
    const backoff = options.backoff || [1000, 2000, 4000, 8000, 15000];
    let ws = null;
    let generation = 0;
    let attempt = 0;
    let timer = null;

    function connect() {
      if (!options.canConnect() || ws) return;
      clearTimeout(timer);
      const mine = ++generation;
      options.onStatus("connecting");
      let socket;
      try {
        socket = new WebSocket(wsUrl(options.path()));
      } catch (err) {
        scheduleReconnect();
        return;
      }
      ws = socket;
      socket.onopen = () => {
        if (mine !== generation) return;
        socket.send(JSON.stringify(options.hello()));
        const reconnected = attempt > 0;
        attempt = 0;
        options.onStatus("online");
        if (options.onOpen) options.onOpen(reconnected);
      };
      socket.onmessage = (event) => {
        if (mine !== generation) return;
        let frame = null;
        try {
          frame = JSON.parse(event.data);
        } catch (err) {
          return;
        }
        options.onFrame(frame);
      };
      socket.onclose = (event) => {
        if (mine !== generation) return;
        ws = null;
        if (options.onClose) options.onClose(event);
        if (event.code === 4401) options.onRejected();
        else if (!options.shouldReconnect || options.shouldReconnect()) scheduleReconnect();
        else options.onStatus("idle");
      };
    }

    function disconnect() {
      generation += 1;
      clearTimeout(timer);
      if (ws) {
        try { ws.close(1000); } catch (err) { /* already closing */ }
      }
      ws = null;
      options.onStatus("idle");
    }

    function scheduleReconnect() {
      options.onStatus("offline");
      const base = backoff[Math.min(attempt, backoff.length - 1)];
      const wait = base + Math.floor(Math.random() * base * 0.3);
      attempt += 1;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (options.beforeRetry) options.beforeRetry(attempt);
        connect();
      }, wait);
    }

    function reconnectNow() {
      attempt = 0;
      clearTimeout(timer);
      connect();
    }

    function isOpen() {
      return Boolean(ws && ws.readyState === WebSocket.OPEN);
    }

    /** Send one JSON frame if the socket is open; false when it is not. */
    function send(frame) {
      if (!isOpen()) return false;
      ws.send(JSON.stringify(frame));
      return true;
    }

    return { connect, disconnect, reconnectNow, isOpen, send, hasSocket: () => ws !== null };
  }

  return { make, store, load, clockTime, errorText, fetchJson, wsUrl, isSendKey, reconnectingSocket };
})();
