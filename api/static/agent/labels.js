/*
 * Every label the console shows, fetched once after login from GET /api/agent/labels and keyed by
 * the names the API sends: {intents, unsure_intent, entities, sentiments, reasons, modes,
 * handoff_statuses, case_kinds, case_statuses, complaint_categories, outcomes, offers, offer_figures, figures,
 * guard_reasons, standard_terms}. No label is copied into the page.
 */
import { api } from "./session.js";

let tables = null;

/** Fetch the labels once; false when they could not be had (keys then show as sent). */
export async function loadLabels() {
  if (tables) return true;
  const result = await api("GET", "/api/agent/labels");
  if (!result.ok || !result.body || typeof result.body !== "object") return false;
  tables = result.body;
  return true;
}

export function hasLabels() {
  return tables !== null;
}

function table(name) {
  const found = tables && tables[name];
  return found && typeof found === "object" ? found : {};
}

/** The label of `key` in table `name`; the key itself when the table does not know it. */
export function label(name, key) {
  if (key == null || key === "") return "";
  const text = table(name)[key];
  return typeof text === "string" ? text : String(key);
}

/** Whether the intents table names this intent (null and nlu_fallback are not intents). */
export function knowsIntent(name) {
  return Boolean(name) && typeof table("intents")[name] === "string";
}

/** An intent's label; the "unsure" label for null, nlu_fallback or any name the table lacks. */
export function intentLabel(name) {
  if (knowsIntent(name)) return table("intents")[name];
  return (tables && tables.unsure_intent) || "—";
}

/** [key, label] pairs of a table, in the order the API sent them. */
export function entries(name) {
  return Object.entries(table(name));
}

/** The standard installment terms (months) of the product rules. */
export function standardTerms() {
  const terms = tables && tables.standard_terms;
  return Array.isArray(terms) ? terms.filter((term) => Number.isInteger(term)) : [];
}

/** Fill a <select> with [value, text] pairs, keeping the chosen value if it is still offered. */
export function fillSelect(select, options, preferred) {
  const keep = select.value;
  select.replaceChildren(...options.map(([value, text]) => new Option(text, String(value))));
  const values = options.map(([value]) => String(value));
  if (keep && values.includes(keep)) select.value = keep;
  else if (preferred != null && values.includes(String(preferred))) select.value = String(preferred);
}

/** A term <select>: the standard terms, 12 months chosen when it is one of them. */
export function fillTermSelect(select) {
  fillSelect(select, standardTerms().map((term) => [term, term + " 期"]), 12);
}
