/*
 * The bank's calendar days (Asia/Shanghai), as the API counts them: "today" is the bank's today
 * whatever time zone the supervisor's computer is in, so the default range matches the API's.
 */
const BANK_TIME_ZONE = "Asia/Shanghai";
export const DEFAULT_DAYS = 30;

/** "YYYY-MM-DD" of the bank's today (formatToParts: no locale decides the order of the parts). */
export function bankToday(now = new Date()) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: BANK_TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit",
  }).formatToParts(now);
  const part = (type) => parts.find((p) => p.type === type).value;
  return part("year") + "-" + part("month") + "-" + part("day");
}

/** "YYYY-MM-DD" moved by whole days; computed in UTC so no daylight-saving change shifts it. */
export function addDays(day, days) {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

/** The last `days` bank days up to today, both ends included (the API's own default is 30). */
export function lastDays(days = DEFAULT_DAYS) {
  const to = bankToday();
  return { from: addDays(to, -(days - 1)), to };
}

/** "?date_from=...&date_to=..." with the ends that are set; an empty end is the API's default. */
export function rangeQuery(range) {
  const params = new URLSearchParams();
  if (range.from) params.set("date_from", range.from);
  if (range.to) params.set("date_to", range.to);
  const query = params.toString();
  return query ? "?" + query : "";
}

/** "2026-11-04" -> "11-04": the year is in the filter already, the axis has little room. */
export function shortDay(day) {
  return day.slice(5);
}
