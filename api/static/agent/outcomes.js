/*
 * The outcome forms beside the open conversation: a repayment promise, a standard installment
 * plan, a bill dispute and a complaint's resolution. A recorded outcome refreshes the assist
 * panel's running summary.
 */
import { $, normalizeAmount, showResult, yuan } from "./ui.js";
import { api, conversationPath } from "./session.js";
import { fillTermSelect } from "./labels.js";
import { openId } from "./conversation.js";
import { refreshAssist } from "./assist.js";

const el = {
  empty: $("outcome-empty"),
  promiseForm: $("form-promise"), promiseAmount: $("promise-amount"), promiseDate: $("promise-date"),
  promiseSubmit: $("promise-submit"), promiseResult: $("promise-result"),
  planForm: $("form-plan"), planTerm: $("plan-term"), planSubmit: $("plan-submit"), planResult: $("plan-result"),
  disputeForm: $("form-dispute"), disputeDescription: $("dispute-description"), disputeSubmit: $("dispute-submit"),
  disputeResult: $("dispute-result"),
  complaintForm: $("form-complaint"), complaintId: $("complaint-id"), complaintResolution: $("complaint-resolution"),
  complaintSubmit: $("complaint-submit"), complaintResult: $("complaint-result"),
};
const forms = [el.promiseForm, el.planForm, el.disputeForm, el.complaintForm];
const results = [el.promiseResult, el.planResult, el.disputeResult, el.complaintResult];

export function bindOutcomes() {
  el.promiseForm.addEventListener("submit", submitPromise);
  el.planForm.addEventListener("submit", submitPlan);
  el.disputeForm.addEventListener("submit", submitDispute);
  el.complaintForm.addEventListener("submit", submitComplaint);
}

/** The labelled controls: the plan's terms. */
export function fillOutcomeLabels() {
  fillTermSelect(el.planTerm);
}

export function showOutcomeForms(visible) {
  el.empty.hidden = visible;
  forms.forEach((form) => { form.hidden = !visible; });
}

/** Another conversation is open: no old results, its open complaint filled in. */
export function resetOutcomes(summary) {
  results.forEach((node) => { node.hidden = true; });
  prefillComplaint(summary || {});
}

/** The first unresolved complaint of the conversation (summary.complaints), if there is one. */
function prefillComplaint(summary) {
  const complaints = Array.isArray(summary.complaints) ? summary.complaints : [];
  const complaint = complaints.find((c) => c && c.status !== "resolved" && c.status !== "rejected") || complaints[0];
  const key = complaint ? (complaint.reference || complaint.id) : summary.complaint_id;
  el.complaintId.value = key != null ? String(key) : "";
}

async function postOutcome(path, payload, resultNode, submit, describe) {
  const conversationId = openId();
  if (!conversationId) return false;
  submit.disabled = true;
  const result = await api("POST", conversationPath(conversationId, path), payload);
  submit.disabled = false;
  if (!result.ok || !result.body) {
    showResult(resultNode, result.text, true);
    return false;
  }
  showResult(resultNode, describe(result.body), false);
  refreshAssist();
  return true;
}

async function submitPromise(event) {
  event.preventDefault();
  const amount = normalizeAmount(el.promiseAmount.value);
  const date = el.promiseDate.value;
  if (!amount) {
    showResult(el.promiseResult, "请输入正确的金额，例如 3000.00", true);
    return;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    showResult(el.promiseResult, "请选择还款日期", true);
    return;
  }
  await postOutcome("/promise", { amount, date }, el.promiseResult, el.promiseSubmit,
    (body) => "已登记还款承诺，编号 " + body.reference);
}

async function submitPlan(event) {
  event.preventDefault();
  const term = Number(el.planTerm.value);
  await postOutcome("/plan", { term_months: term }, el.planResult, el.planSubmit, (body) => {
    let text = "已办理分期，编号 " + body.reference;
    if (body.monthly_payment) text += "；每期 " + yuan(body.monthly_payment);
    if (body.total_fee) text += "；总手续费 " + yuan(body.total_fee);
    if (body.annual_rate) text += "；年化利率 " + body.annual_rate;
    return text;
  });
}

async function submitDispute(event) {
  event.preventDefault();
  const description = el.disputeDescription.value.trim();
  if (!description) {
    showResult(el.disputeResult, "请填写异议说明", true);
    return;
  }
  const ok = await postOutcome("/dispute", { description }, el.disputeResult, el.disputeSubmit,
    (body) => "已提交账单异议，编号 " + body.reference);
  if (ok) el.disputeDescription.value = "";
}

async function submitComplaint(event) {
  event.preventDefault();
  const complaintId = el.complaintId.value.trim();
  const resolution = el.complaintResolution.value.trim();
  if (!complaintId || !resolution) {
    showResult(el.complaintResult, "请填写投诉编号和处理结果", true);
    return;
  }
  el.complaintSubmit.disabled = true;
  const result = await api("POST", "/api/agent/complaints/" + encodeURIComponent(complaintId) + "/resolve", { resolution });
  el.complaintSubmit.disabled = false;
  if (!result.ok || !result.body) {
    showResult(el.complaintResult, result.text, true);
    return;
  }
  showResult(el.complaintResult, "已记录投诉处理结果，编号 " + result.body.reference, false);
  el.complaintResolution.value = "";
  refreshAssist();
}
