/*
 * The intents of the training data (GET /api/trainer/intents), loaded once after sign-in: their
 * Chinese labels name every predicted intent on the page, and they fill every intent <select>.
 * Sub-intents (ask_fee/late_fee) share their parent's label, so the name is always shown too.
 */
import { C } from "../agent/ui.js";
import { call } from "./api.js";

const FALLBACK = "nlu_fallback";
let intents = [];
let byName = new Map();
const listeners = [];

/** Loads the list; resolves the request's result (main.js reads its status to tell a non-trainer). */
export async function loadIntents(options) {
  const result = await call("GET", "/intents", undefined, options);
  if (result.ok && result.body) {
    intents = result.body.intents || [];
    byName = new Map(intents.map((intent) => [intent.name, intent]));
    listeners.forEach((fn) => fn(intents));
  }
  return result;
}

export function onIntents(fn) {
  listeners.push(fn);
}

export function allIntents() {
  return intents;
}

/** The Chinese label of an intent name (a retrieval intent's parent also has one); "" when unknown. */
export function intentLabel(name) {
  if (!name) return "";
  if (name === FALLBACK) return "兜底（未识别）";
  const found = byName.get(name) || intents.find((intent) => intent.name.split("/")[0] === name);
  return found ? found.label : "";
}

/** "查询欠款 ask_balance", or the bare name when there is no label. */
export function intentText(name) {
  if (!name) return "—";
  const label = intentLabel(name);
  return label && label !== name ? label + " " + name : name;
}

/**
 * Fills a <select> with the intents. options.blank: text of a first empty option;
 * options.topLevel: one option per parent intent (the tracker store records parents only).
 */
export function fillIntentSelect(select, options) {
  const keep = select.value;
  const settings = options || {};
  select.replaceChildren();
  if (settings.blank !== undefined) select.append(C.make("option", { value: "" }, settings.blank));
  const names = settings.topLevel
    ? [...new Set(intents.map((intent) => intent.name.split("/")[0]))]
    : intents.map((intent) => intent.name);
  if (settings.topLevel) names.push(FALLBACK);
  names.forEach((name) => {
    const count = byName.has(name) ? "（" + byName.get(name).examples + " 条）" : "";
    select.append(C.make("option", { value: name }, intentText(name) + (settings.topLevel ? "" : count)));
  });
  select.value = settings.selected !== undefined ? settings.selected : keep;
  if (select.selectedIndex < 0) select.selectedIndex = 0;
}
