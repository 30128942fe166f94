/*
 * What every console module shares: the page helpers of common.js (a classic script the page loads
 * before the modules, also used by the cardholder widget), element lookup, notices, amounts.
 * Text goes into the page through textContent only.
 */
/* global PageCommon */
export const C = PageCommon;
export const { store, load, clockTime, isSendKey } = C;
export const MAX_LENGTH = 1000;
const NOTICE_MS = 6000;

export function $(id) {
  return document.getElementById(id);
}

/** An element with a class; text (if any) goes in through textContent. */
export function make(tag, className, text) {
  return C.make(tag, className ? { class: className } : null, text);
}

/** A type=button button that calls onClick. */
export function button(className, text, onClick) {
  const node = make("button", className, text);
  node.type = "button";
  node.addEventListener("click", onClick);
  return node;
}

/** A <dt>/<dd> pair; "—" when there is no value. */
export function row(list, label, value) {
  list.append(make("dt", "", label), make("dd", "", value == null || value === "" ? "—" : value));
}

export function yuan(value) {
  return value == null || value === "" ? "—" : "¥" + value;
}

export function duration(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours) return hours + "小时" + String(minutes).padStart(2, "0") + "分";
  if (minutes) return minutes + "分" + String(secs).padStart(2, "0") + "秒";
  return secs + "秒";
}

/** "3,000" / "¥3000.5" -> "3000.50"; null when it is not an amount of yuan and fen. */
export function normalizeAmount(raw) {
  const text = String(raw).replace(/[¥,，\s元]/g, "");
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return null;
  const whole = match[1].replace(/^0+(?=\d)/, "");
  if (whole === "0" && !/[1-9]/.test(match[2] || "")) return null;
  return whole + "." + (match[2] || "").padEnd(2, "0");
}

const notice = $("console-notice");
let noticeTimer = null;

export function showNotice(text) {
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { notice.hidden = true; }, NOTICE_MS);
}

export function showResult(node, text, isError) {
  node.textContent = text;
  node.hidden = false;
  node.classList.toggle("is-error", Boolean(isError));
}
