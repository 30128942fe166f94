/*
 * The workbench's tabs. A panel's data is loaded when its tab is first opened after sign-in
 * (onTab), not all at once, so a slow part (Rasa down, many imports) never holds up the rest.
 */
const tabs = [...document.querySelectorAll("[data-tab]")];
const panels = [...document.querySelectorAll("[data-panel]")];
const handlers = {};
let shown = new Set();

export function bindTabs() {
  tabs.forEach((tab) => tab.addEventListener("click", () => showTab(tab.dataset.tab)));
}

/** fn() when the tab `name` is shown (the first time after each sign-in, or every time with always). */
export function onTab(name, fn, always) {
  handlers[name] = { fn, always: Boolean(always) };
}

export function showTab(name) {
  tabs.forEach((tab) => tab.setAttribute("aria-selected", String(tab.dataset.tab === name)));
  panels.forEach((panel) => { panel.hidden = panel.dataset.panel !== name; });
  const handler = handlers[name];
  if (handler && (handler.always || !shown.has(name))) handler.fn();
  shown.add(name);
}

/** After a sign-out: every tab loads afresh next time. */
export function resetTabs() {
  shown = new Set();
}
