/*
 * Agent console (/agent), start-up and wiring. The modules:
 *   ui.js            helpers over common.js (elements through textContent only), notices, amounts
 *   session.js       login, logout, the token, api() with 401 handling
 *   socket.js        WS /api/agent/ws with backoff; frames by type
 *   labels.js        GET /api/agent/labels, once after login
 *   queue.js         queue, claim, reassign, my conversations, agents
 *   conversation.js  the open conversation: state, summary card, transcript, notes, release
 *   reply.js         the reply box and the compliance guard
 *   wrapup.js        closing with a wrap-up note
 *   assist.js        the assist panel, calculator and knowledge
 *   outcomes.js      promise, plan, dispute and complaint forms
 */
import { load, showNotice } from "./ui.js";
import { KEY, current, initSession } from "./session.js";
import { connect, disconnect, onFrame, onReconnected } from "./socket.js";
import { hasLabels, loadLabels } from "./labels.js";
import { clearUnread, markOpen, markUnread, renderQueue, startQueue, stopQueue } from "./queue.js";
import {
  bindConversation, onCustomerTyping, onOpened, onShown, onState, openConversation, openId, reloadConversation,
  renderState, showConversation, showLiveMessage,
} from "./conversation.js";
import { bindReply, resetReply, setReplyActive } from "./reply.js";
import { bindWrapUp, fillWrapUpLabels, followOpen, setClosable } from "./wrapup.js";
import { bindAssist, fillAssistLabels, hideAssist, loadAssist, onAssistFrame, resetAssist } from "./assist.js";
import { bindOutcomes, fillOutcomeLabels, resetOutcomes, showOutcomeForms } from "./outcomes.js";

/** Labels first (everything shown goes through them), then the queue, the socket, the open conversation. */
async function startConsole(session) {
  if (!(await loadLabels())) showNotice("界面文字加载失败，请刷新页面后重试");
  if (current() !== session) return; // logged out meanwhile
  fillLabelledControls();
  startQueue();
  connect();
  const restored = load(KEY.open, null);
  showConversation(null);
  if (restored) openConversation(restored);
}

function stopConsole() {
  disconnect();
  stopQueue();
  resetReply();
  showConversation(null);
}

function fillLabelledControls() {
  fillWrapUpLabels();
  fillOutcomeLabels();
  fillAssistLabels();
}

function wire() {
  onShown((conversationId) => {
    showOutcomeForms(Boolean(conversationId));
    markOpen(conversationId);
    followOpen(conversationId);
    if (!conversationId) hideAssist();
  });
  onOpened((detail, switching) => {
    if (switching) {
      resetReply();
      resetOutcomes(detail.summary);
      resetAssist(detail);
    }
    clearUnread(detail.conversation_id);
    loadAssist(detail.conversation_id);
  });
  onState((state) => {
    setReplyActive(state.mode === "agent");
    setClosable(state.mode !== "closed");
  });

  onFrame("queue", (frame) => renderQueue(frame.items || []));
  onFrame("message", ({ message }) => {
    if (!message) return;
    if (message.conversation_id === openId()) showLiveMessage(message);
    else if (message.sender === "customer") markUnread(message.conversation_id);
  });
  onFrame("typing", onCustomerTyping);
  onFrame("state", (frame) => {
    if (frame.conversation_id === openId()) renderState(frame.state);
  });
  onFrame("assist", onAssistFrame);
  onReconnected(async () => {
    if (!hasLabels() && (await loadLabels())) fillLabelledControls();
    const conversationId = openId();
    if (!conversationId) return;
    await reloadConversation();
    loadAssist(conversationId);
  });
}

function init() {
  bindConversation();
  bindReply();
  bindWrapUp();
  bindAssist();
  bindOutcomes();
  wire();
  initSession(startConsole, stopConsole);
}

init();
