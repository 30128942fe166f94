/*
 * GET /api/dashboard/figures through the console's api() (same token, a 401 ends the session).
 * Only the newest request counts: a slow answer for an older range never paints over a newer one.
 */
import { api } from "../agent/session.js";
import { rangeQuery } from "./dates.js";

let newest = 0;

/** {ok, status, body, text, stale}; stale is true when a newer request was made meanwhile. */
export async function loadFigures(range) {
  const mine = ++newest;
  const result = await api("GET", "/api/dashboard/figures" + rangeQuery(range));
  result.stale = mine !== newest;
  return result;
}

/** Forget any request in flight (after a logout its answer must not be drawn). */
export function dropPending() {
  newest += 1;
}
