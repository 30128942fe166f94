/*
 * The one status line (#status, role="status") every module writes to: the API's
 * detail.message on failure, a short confirmation on success. One line, so the trainer always
 * knows where to look, and screen readers announce it.
 */
import { $ } from "../agent/ui.js";

const line = $("status");

/** kind: "error" | "ok" | "info" (styles only; the text says what happened). */
export function say(text, kind) {
  line.textContent = text || "";
  line.dataset.kind = text ? kind || "info" : "";
}

export function clearStatus() {
  say("");
}
