/*
 * The agent's session: login, logout, the token in sessionStorage, and api(), the fetch helper
 * every module uses (Bearer token; a 401 ends the session).
 */
import { $, C, load, store } from "./ui.js";

export const KEY = { session: "agentConsole.session", mine: "agentConsole.mine", open: "agentConsole.open" };

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

const el = {
  loginView: $("login-view"), consoleView: $("console-view"), meBox: $("agent-me-box"), me: $("agent-me"),
  logout: $("agent-logout"), loginForm: $("agent-login-form"), username: $("agent-username"),
  password: $("agent-password"), loginButton: $("agent-login"), loginError: $("agent-login-error"),
};

let session = null;
let handlers = { start: () => {}, stop: () => {} };

/** {token, username, display_name, role}, or null when nobody is signed in. */
export function current() {
  return session;
}

export function isSupervisor() {
  return Boolean(session && session.role === "supervisor");
}

/** fetch with the agent token; resolves {ok, status, body, text}; a 401 ends the session. */
export async function api(method, path, payload) {
  let result;
  try {
    result = await C.fetchJson(method, path, payload, session && session.token);
  } catch (err) {
    return { ok: false, status: 0, body: null, text: "网络连接异常，请稍后重试" };
  }
  result.text = result.ok ? "" : C.errorText(result.status, result.body, ERROR_TEXT, STATUS_TEXT);
  if (result.status === 401 && session && !path.endsWith("/login")) sessionExpired();
  return result;
}

/** /api/agent/conversations/{id}{tail} */
export function conversationPath(conversationId, tail) {
  return "/api/agent/conversations/" + encodeURIComponent(conversationId) + (tail || "");
}

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
  const { token, display_name, role } = result.body;
  session = { token, username: result.body.username, display_name, role };
  store(KEY.session, session);
  begin();
}

function loginErrorText(result) {
  const detail = result.body && result.body.detail;
  const hasMessage = detail && typeof detail === "object" && typeof detail.message === "string" && detail.message;
  if (result.status === 401 && !hasMessage) return ERROR_TEXT.bad_credentials;
  return result.text || "登录失败，请稍后再试";
}

export function showLoginError(text) {
  el.loginError.textContent = text;
  el.loginError.hidden = !text;
}

function begin() {
  el.loginView.hidden = true;
  el.consoleView.hidden = false;
  el.meBox.hidden = false;
  el.me.textContent = session.display_name + "（" + session.username + "，" + (isSupervisor() ? "主管" : "坐席") + "）";
  handlers.start(session);
}

export function logout() {
  handlers.stop();
  session = null;
  [KEY.session, KEY.mine, KEY.open].forEach((key) => store(key, null));
  el.loginView.hidden = false;
  el.consoleView.hidden = true;
  el.meBox.hidden = true;
  el.username.focus();
}

export function sessionExpired() {
  logout();
  showLoginError(ERROR_TEXT.invalid_token);
}

/** Bind the login form and logout; start(session) runs after a login or with a stored session. */
export function initSession(start, stop) {
  handlers = { start, stop };
  el.loginForm.addEventListener("submit", login);
  el.logout.addEventListener("click", logout);
  session = load(KEY.session, null);
  if (session && session.token) begin();
  else {
    session = null;
    handlers.stop();
    el.username.focus();
  }
}
