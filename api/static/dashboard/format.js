/*
 * How figures read on the dashboard. The API sends rates as 0..1 (null when nothing to divide),
 * money as strings of yuan ("1234.50", never floats) and durations in seconds.
 */
import { duration } from "../agent/ui.js";

export const NONE = "—";

/** 0.4567 -> "45.7%"; null -> "—". */
export function percent(rate) {
  return rate == null ? NONE : (rate * 100).toFixed(1) + "%";
}

/** part / whole as a 0..1 rate for one day; null when there is nothing to divide by. */
export function ratio(part, whole) {
  return whole ? part / whole : null;
}

/** "12345.50" -> "¥12,345.50"; the string is regrouped, never parsed into a float. */
export function money(amount) {
  if (amount == null || amount === "") return NONE;
  const [whole, fen] = String(amount).split(".");
  return "¥" + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (fen ? "." + fen : "");
}

/** Seconds as the console writes them ("3分05秒"); null -> "—". */
export function seconds(value) {
  return value == null ? NONE : duration(value);
}

export function count(value) {
  return value == null ? NONE : String(value);
}
