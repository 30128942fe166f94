/*
 * The status line under the filter: what is loading, what was loaded, and what went wrong, in
 * the API's own words (detail.message) so a refusal (403, a wrong range) reads as the server said it.
 */
import { $ } from "../agent/ui.js";

const line = $("dashboard-status");

/** kind: "info" | "ok" | "error"; an empty text hides the line. */
export function showStatus(text, kind = "info") {
  line.textContent = text || "";
  line.hidden = !text;
  line.dataset.kind = kind;
}
