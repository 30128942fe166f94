"use strict";
/*
 * The demo bank page: fills the login picker with the demo cardholders, logs in and out, and
 * tells the chat widget who is chatting. Logging in or out starts a new conversation.
 * The one global of this file is BankPage.
 */
const BankPage = (function () {
  const SESSION_KEY = "bank.session";
  const ERROR_TEXT = {
    bad_credentials: "持卡人或密码错误，请重新输入",
    invalid_token: "登录已失效，请重新登录",
    expired_token: "登录已过期，请重新登录",
  };

  const el = {};

  function $(id) {
    return document.getElementById(id);
  }

  function loadSession() {
    try {
      const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
      if (!session || !session.token) return null;
      if (session.expires_at && new Date(session.expires_at).getTime() <= Date.now()) return null;
      return session;
    } catch (err) {
      return null;
    }
  }

  function saveSession(session) {
    try {
      if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
      else sessionStorage.removeItem(SESSION_KEY);
    } catch (err) { /* storage disabled: the login lasts for this page only */ }
  }

  function errorText(status, body) {
    const detail = body && body.detail;
    if (detail && typeof detail === "object" && !Array.isArray(detail)) {
      if (typeof detail.message === "string" && detail.message) return detail.message;
      if (ERROR_TEXT[detail.code]) return ERROR_TEXT[detail.code];
    }
    if (status === 401) return ERROR_TEXT.bad_credentials;
    if (status === 422) return "请选择持卡人并输入密码";
    if (status === 429) return "尝试次数过多，请稍后再试";
    return "登录暂时不可用，请稍后再试";
  }

  async function requestJson(method, path, payload) {
    const options = { method, headers: { Accept: "application/json" }, cache: "no-store" };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    const response = await fetch(path, options);
    let body = null;
    try {
      body = await response.json();
    } catch (err) { /* no JSON body */ }
    return { ok: response.ok, status: response.status, body };
  }

  function identityOf(session) {
    if (!session) return { token: null, owner: "anonymous", label: "匿名咨询" };
    return { token: session.token, owner: session.customer_id, label: "已登录：" + session.name_masked };
  }

  function showError(text) {
    el.error.textContent = text || "";
    el.error.hidden = !text;
  }

  function render(session) {
    el.form.hidden = Boolean(session);
    el.status.hidden = !session;
    el.name.textContent = session ? session.name_masked + " 已登录" : "";
  }

  async function fillPicker() {
    el.customer.replaceChildren(new Option("正在加载…", ""));
    try {
      const result = await requestJson("GET", "/api/bank/demo-customers");
      if (!result.ok || !Array.isArray(result.body)) throw new Error("status " + result.status);
      const options = result.body.map((customer) => new Option(
        customer.name_masked + "（尾号" + customer.card_last4 + "）", customer.customer_id));
      el.customer.replaceChildren(new Option("请选择持卡人", ""), ...options);
      if (options.length === 1) el.customer.value = options[0].value;
    } catch (err) {
      el.customer.replaceChildren(new Option("演示持卡人加载失败", ""));
      showError("无法加载演示持卡人，请刷新页面重试");
    }
  }

  async function login(event) {
    event.preventDefault();
    const customerId = el.customer.value;
    const password = el.password.value;
    if (!customerId || !password) {
      showError("请选择持卡人并输入密码");
      return;
    }
    showError("");
    el.submit.disabled = true;
    try {
      const result = await requestJson("POST", "/api/bank/login", { customer_id: customerId, password });
      if (!result.ok || !result.body || !result.body.token) {
        showError(errorText(result.status, result.body));
        return;
      }
      const session = {
        token: result.body.token,
        customer_id: result.body.customer_id,
        name_masked: result.body.name_masked,
        expires_at: result.body.expires_at || null,
      };
      saveSession(session);
      el.password.value = "";
      render(session);
      ChatWidget.setIdentity(identityOf(session), { restart: true });
    } catch (err) {
      showError("网络连接异常，请稍后重试");
    } finally {
      el.submit.disabled = false;
    }
  }

  function logout() {
    saveSession(null);
    render(null);
    showError("");
    ChatWidget.setIdentity(identityOf(null), { restart: true });
  }

  /** Anonymous mode: no bank login; a logged-in cardholder is logged out first. */
  function anonymous() {
    if (loadSession()) logout();
    ChatWidget.open();
  }

  function onAuthExpired() {
    saveSession(null);
    render(null);
    showError(ERROR_TEXT.expired_token);
    ChatWidget.setIdentity(identityOf(null));
  }

  function init() {
    el.form = $("login-form");
    el.customer = $("login-customer");
    el.password = $("login-password");
    el.submit = $("login-submit");
    el.error = $("login-error");
    el.status = $("login-status");
    el.name = $("login-name");
    el.logout = $("logout");
    el.anonymous = $("anonymous");

    const session = loadSession();
    if (!session) saveSession(null);
    render(session);
    ChatWidget.mount(identityOf(session));

    el.form.addEventListener("submit", login);
    el.logout.addEventListener("click", logout);
    el.anonymous.addEventListener("click", anonymous);
    document.addEventListener("chatwidget:auth-expired", onAuthExpired);
    fillPicker();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();

  return { init };
})();
