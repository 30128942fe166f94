/*
 * How figures and times are written on the workbench. Times from the API are already in the
 * bank's time zone (ISO with +08:00), so they are cut, not converted: the trainer sees the
 * bank's clock whatever the browser's zone.
 */

/** "2024-05-01T09:30:12+08:00" -> "05-01 09:30"; "—" when missing. */
export function shortTime(iso) {
  return iso ? String(iso).slice(5, 16).replace("T", " ") : "—";
}

/** "2024-05-01T09:30:12+08:00" -> "2024-05-01 09:30:12". */
export function fullTime(iso) {
  return iso ? String(iso).slice(0, 19).replace("T", " ") : "—";
}

/** 0.9234 -> "92.3%"; "—" when there is no figure. */
export function percent(value) {
  return typeof value === "number" && Number.isFinite(value) ? (value * 100).toFixed(1) + "%" : "—";
}

/** A confidence as the model gave it, 0.8123 -> "0.81". */
export function confidence(value) {
  return typeof value === "number" ? value.toFixed(2) : "—";
}

/** The change between two 0..1 figures in percentage points, "+1.2" / "-0.8" / "0.0"; "" when either is missing. */
export function pointsChange(after, before) {
  if (typeof after !== "number" || typeof before !== "number") return "";
  const points = (after - before) * 100;
  return (points > 0.05 ? "+" : "") + points.toFixed(1);
}

/** The class that colours a change: better, worse or none. */
export function changeClass(after, before) {
  if (typeof after !== "number" || typeof before !== "number") return "";
  if (after - before > 0.0005) return "better";
  if (before - after > 0.0005) return "worse";
  return "";
}
