/*
 * Trainers' workbench (/trainer), start-up and wiring. Sign-in, the token and api() are the agent
 * console's (../agent/session.js, ../agent/ui.js); a trainer token opens only /api/trainer. Modules:
 *   status.js         the #status line every error and confirmation goes to
 *   api.js            /api/trainer requests, busy buttons, file upload, token-protected pictures
 *   tabs.js           the tabs; a tab's data loads when it is opened
 *   intents.js        intent names, Chinese labels and the intent <select>s
 *   conversations.js  filter bar and conversation list
 *   conversation.js   the open conversation, marks, test story
 *   examples.js       correct an intent / add an example: preview the diff, then write
 *   imports.js        import files and handed-off messages, label or ignore them
 *   checks.js         data checks
 *   jobs.js           polling a background job every 2 s
 *   training.js       start a training, its progress
 *   models.js         models, serving model, activate, roll back
 *   evaluation.js     evaluation beside the serving model
 *   audit.js          the audit log
 *   format.js         times and figures
 */
import { $ } from "../agent/ui.js";
import { current, initSession, logout, showLoginError } from "../agent/session.js";
import { clearStatus, say } from "./status.js";
import { bindTabs, onTab, resetTabs, showTab } from "./tabs.js";
import { fillIntentSelect, loadIntents, onIntents } from "./intents.js";
import { bindConversations, loadConversations, resetConversations, setOpenRow, updateRow } from "./conversations.js";
import { bindConversation, closeConversation, markCorrected, openConversation } from "./conversation.js";
import { bindExamples, correctTurn, fillExampleIntents, onWritten, resetExamples } from "./examples.js";
import { bindImports, loadImports } from "./imports.js";
import { bindChecks } from "./checks.js";
import { stopAllJobs } from "./jobs.js";
import { bindTraining, onTrainingDone, resetTraining, resumeTraining } from "./training.js";
import { bindModels, loadModels, resetModels } from "./models.js";
import { bindEvaluation, resetEvaluation, resumeEvaluation, startEvaluation } from "./evaluation.js";
import { bindAudit, loadAudit, resetAudit } from "./audit.js";

const bench = $("console-view");

/**
 * After sign-in (or a stored session): the intents first. Their answer also tells whether this
 * account is a trainer: an agent's token gets 403, and the API's message is shown on the login form.
 */
async function startBench(session) {
  $("agent-me").textContent = session.display_name + "（" + session.username + "，训练师）";
  bench.dataset.ready = "false";
  clearStatus();
  const result = await loadIntents({ quiet: true });
  if (current() !== session) return; // signed out meanwhile
  if (result.status === 403) {
    logout();
    showLoginError(result.text);
    return;
  }
  if (!result.ok) say(result.text, "error"); // e.g. unreadable training data: the rest still works
  bench.dataset.ready = "true";
  showTab("review");
  loadModels(); // resumes a training started elsewhere, shows the serving model
  resumeEvaluation();
}

function stopBench() {
  stopAllJobs();
  resetTabs();
  resetConversations();
  closeConversation();
  resetExamples();
  resetTraining();
  resetModels();
  resetEvaluation();
  resetAudit();
  clearStatus();
}

function wire() {
  onIntents(() => {
    fillIntentSelect($("filter-intent"), { blank: "全部意图", topLevel: true });
    fillExampleIntents();
  });
  onTab("review", loadConversations);
  onTab("imports", loadImports);
  onTab("models", loadModels, true);
  onTab("audit", loadAudit, true);

  bindConversations(openConversation);
  bindConversation({
    correct: correctTurn,
    marked: updateRow,
    shown: setOpenRow,
  });
  onWritten((origin, intent) => {
    if (origin) markCorrected(origin.conversationId, origin.index, intent);
  });
  bindModels({ evaluate: startEvaluation, loaded: (answer) => resumeTraining(answer.trainings) });
  onTrainingDone(() => loadModels());
  bindEvaluation(() => showTab("evaluation"));
}

function init() {
  bindTabs();
  bindExamples();
  bindImports();
  bindChecks();
  bindTraining();
  bindAudit();
  wire();
  initSession(startBench, stopBench);
}

init();
