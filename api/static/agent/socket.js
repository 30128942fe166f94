/*
 * The agent socket, WS /api/agent/ws: opened after login, reopened with backoff after a drop
 * (common.js); close code 4401 means the token was refused. Modules subscribe to frame types.
 */
import { $, C } from "./ui.js";
import { current, sessionExpired } from "./session.js";

const STATUS_TEXT = { online: "实时连接", connecting: "连接中…", offline: "连接断开，重连中", idle: "" };
const wsStatus = $("ws-status");
const frameHandlers = new Map();
const reconnectHandlers = [];
const closeHandlers = [];

function setStatus(status) {
  wsStatus.dataset.status = status;
  wsStatus.textContent = STATUS_TEXT[status] || "";
}

function dispatch(frame) {
  if (!frame || typeof frame !== "object") return;
  (frameHandlers.get(frame.type) || []).forEach((handler) => handler(frame));
}

const socket = C.reconnectingSocket({
  path: () => "/api/agent/ws",
  hello: () => ({ type: "auth", token: current().token }),
  canConnect: () => Boolean(current()),
  onStatus: setStatus,
  onFrame: dispatch,
  onOpen: (reconnected) => {
    if (reconnected) reconnectHandlers.forEach((handler) => handler());
  },
  onClose: () => closeHandlers.forEach((handler) => handler()),
  onRejected: sessionExpired,
});

export const { connect, disconnect, isOpen } = socket;

/** Send one JSON frame if the socket is open; false when it is not. */
export function send(frame) {
  return socket.send(frame);
}

/** handler(frame) for every frame of this type ("queue", "message", "typing", "state", "assist"). */
export function onFrame(type, handler) {
  if (!frameHandlers.has(type)) frameHandlers.set(type, []);
  frameHandlers.get(type).push(handler);
}

/** After the socket came back from a drop (frames may have been missed meanwhile). */
export function onReconnected(handler) {
  reconnectHandlers.push(handler);
}

export function onClosed(handler) {
  closeHandlers.push(handler);
}
