/*
 * Closing a conversation: the outcome chosen beside the close button, then a wrap-up note drafted
 * by the server (GET .../wrap-up?outcome=) that the agent can edit before confirming; the close
 * call carries the note to the contact log.
 */
import { $, showNotice } from "./ui.js";
import { api, conversationPath } from "./session.js";
import { entries, fillSelect, label } from "./labels.js";
import { openId, renderState } from "./conversation.js";
import { forgetMine } from "./queue.js";

const el = {
  close: $("close"), outcome: $("close-outcome"),
  dialog: $("wrapup"), outcomeText: $("wrapup-outcome"), note: $("wrapup-note"), error: $("wrapup-error"),
  confirm: $("wrapup-confirm"), cancel: $("wrapup-cancel"),
};

let closable = false;
let pending = null; // {conversationId, outcome} while the dialog is open

export function bindWrapUp() {
  el.close.addEventListener("click", startClose);
  el.confirm.addEventListener("click", confirmClose);
  el.cancel.addEventListener("click", cancel);
  el.dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") cancel();
  });
}

/** The labelled controls: the outcomes an agent closes with. */
export function fillWrapUpLabels() {
  fillSelect(el.outcome, entries("outcomes"));
}

/** A closed conversation cannot be closed again. */
export function setClosable(enabled) {
  closable = enabled;
  el.close.disabled = !enabled;
  el.outcome.disabled = !enabled;
  if (!enabled) hideWrapUp();
}

/** The dialog belongs to one conversation: it goes when another one (or none) is shown. */
export function followOpen(conversationId) {
  if (pending && pending.conversationId !== conversationId) hideWrapUp();
}

async function startClose() {
  const conversationId = openId();
  const outcome = el.outcome.value;
  if (!conversationId || !outcome) return;
  el.close.disabled = true;
  const result = await api("GET", conversationPath(conversationId, "/wrap-up?outcome=" + encodeURIComponent(outcome)));
  el.close.disabled = !closable;
  if (conversationId !== openId()) return;
  if (result.ok && result.body && typeof result.body.note === "string") {
    showWrapUp(conversationId, outcome, result.body.note, "");
  } else if (result.status === 0 || result.status >= 500) {
    showWrapUp(conversationId, outcome, "", "未能生成小结，请手动填写后结束对话");
  } else {
    showNotice(result.text);
  }
}

function showWrapUp(conversationId, outcome, note, problem) {
  pending = { conversationId, outcome };
  el.outcomeText.textContent = "结束原因：" + label("outcomes", outcome);
  el.note.value = note;
  showError(problem);
  el.confirm.disabled = false;
  el.dialog.hidden = false;
  el.note.focus();
}

function hideWrapUp() {
  pending = null;
  el.dialog.hidden = true;
}

function cancel() {
  hideWrapUp();
  el.close.focus();
}

function showError(text) {
  el.error.textContent = text;
  el.error.hidden = !text;
}

async function confirmClose() {
  if (!pending) return;
  const { conversationId, outcome } = pending;
  const note = el.note.value.trim();
  el.confirm.disabled = true;
  const result = await api("POST", conversationPath(conversationId, "/close"), { outcome, note: note || null });
  el.confirm.disabled = false;
  if (!result.ok || !result.body) {
    showError(result.text);
    return;
  }
  hideWrapUp();
  forgetMine(conversationId);
  if (conversationId === openId()) renderState(result.body.state);
  showNotice("对话已结束");
}
