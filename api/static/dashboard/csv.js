/*
 * "导出联系记录 CSV": the contact log needs the bearer token, which a plain link cannot send, so
 * the file is fetched with the token and handed to the browser as a Blob through a temporary
 * <a download>. The server's filename (Content-Disposition) is kept.
 */
import { C } from "../agent/ui.js";
import { current, sessionExpired } from "../agent/session.js";
import { rangeQuery } from "./dates.js";

const PATH = "/api/dashboard/contact-log.csv";
const STATUS_TEXT = { 401: "登录已失效，请重新登录", 403: "您没有权限执行此操作", 422: "日期范围不正确" };
const REVOKE_AFTER_MS = 30000; // long enough for the browser to start writing the file

/** {ok, text, filename}: text is the API's detail.message when it refuses. */
export async function downloadContactLog(range) {
  const session = current();
  if (!session) return { ok: false, text: "请先登录" };
  let response;
  try {
    response = await fetch(PATH + rangeQuery(range), {
      headers: { Authorization: "Bearer " + session.token, Accept: "text/csv" },
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (err) {
    return { ok: false, text: "网络连接异常，请稍后重试" };
  }
  if (!response.ok) {
    let body = null;
    try {
      body = await response.json();
    } catch (err) { /* not JSON: the status decides the text */ }
    if (response.status === 401) sessionExpired();
    return { ok: false, text: C.errorText(response.status, body, {}, STATUS_TEXT) };
  }
  const filename = filenameOf(response) || "contact-log.csv";
  save(await response.blob(), filename);
  return { ok: true, filename };
}

function filenameOf(response) {
  const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return match ? match[1] : null;
}

function save(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = C.make("a", { href: url, download: filename, hidden: "" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}
