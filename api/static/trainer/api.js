/*
 * Requests to /api/trainer. JSON goes through the agent console's api() (same token, same 401
 * handling, same Chinese error text); the two non-JSON cases, a raw file upload and a PNG that
 * needs the bearer token, are done here with the same token and error handling.
 */
import { C } from "../agent/ui.js";
import { api, current, sessionExpired } from "../agent/session.js";
import { say } from "./status.js";

export const BASE = "/api/trainer";
const NETWORK_TEXT = "网络连接异常，请稍后重试";
const STATUS_TEXT = { 401: "登录已失效，请重新登录", 403: "您没有权限执行此操作", 413: "文件太大" };

export const enc = encodeURIComponent;

/** "?a=1&b=x" from the values that are set (null, undefined, "" and false are left out). */
export function query(params) {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== null && value !== undefined && value !== "" && value !== false)
    .map(([name, value]) => enc(name) + "=" + enc(String(value)));
  return parts.length ? "?" + parts.join("&") : "";
}

/**
 * A JSON request under /api/trainer; resolves {ok, status, body, text}. A failure's text (the
 * API's detail.message) goes to the status line unless options.quiet.
 */
export async function call(method, path, payload, options) {
  const result = await api(method, BASE + path, payload);
  if (!result.ok && !(options && options.quiet)) say(result.text, "error");
  return result;
}

/** Runs fn() with the buttons disabled, so a slow request is never sent twice; returns fn's result. */
export async function busy(buttons, fn) {
  const list = (Array.isArray(buttons) ? buttons : [buttons]).filter(Boolean);
  list.forEach((node) => { node.disabled = true; });
  try {
    return await fn();
  } finally {
    list.forEach((node) => { node.disabled = false; });
  }
}

/** POST a file as the raw request body (the import endpoint reads the body as it is). */
export async function sendFile(path, file) {
  const result = await authorizedFetch(BASE + path, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": file.type || "application/octet-stream" },
    body: file,
  });
  if (result.response) {
    try {
      result.body = await result.response.json();
    } catch (err) { /* not JSON */ }
  }
  return finish(result);
}

/**
 * An evaluation picture as a data: URL. The picture needs the bearer token, so an <img src> cannot
 * load it directly; and the page's CSP allows img-src 'self' data: but not blob:, so no object URL.
 */
export async function pictureUrl(path) {
  const result = await authorizedFetch(BASE + path, { method: "GET", headers: { Accept: "image/png" } });
  if (result.response && result.response.ok) {
    const blob = await result.response.blob();
    return { ok: true, url: await dataUrl(blob) };
  }
  if (result.response) {
    try {
      result.body = await result.response.json();
    } catch (err) { /* not JSON */ }
  }
  return finish(result);
}

async function authorizedFetch(path, init) {
  const session = current();
  const headers = { ...init.headers };
  if (session && session.token) headers.Authorization = "Bearer " + session.token;
  try {
    const response = await fetch(path, { ...init, headers, credentials: "same-origin", cache: "no-store" });
    return { response, ok: response.ok, status: response.status, body: null };
  } catch (err) {
    return { response: null, ok: false, status: 0, body: null };
  }
}

function finish(result) {
  delete result.response;
  if (result.ok) return { ...result, text: "" };
  result.text = result.status === 0 ? NETWORK_TEXT : C.errorText(result.status, result.body, {}, STATUS_TEXT);
  if (result.status === 401) sessionExpired();
  return result;
}

function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
