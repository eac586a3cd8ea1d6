/* Words, icons and small DOM helpers; every value from the API goes into the page as text. */

export const ICONS = {healthy: "\u2713", warning: "!", failing: "\u25B2", broken: "\u2715", unknown: "?"};
export const WARNING_WORDS = {
  redirected: "redirected within the site", moved: "moved to another site",
  content_drifting: "page content drifting from the description", slow: "slow to answer",
  certificate_expiring: "TLS certificate expiring soon", logo_missing: "logo missing"};
const UP = new Set(["ok", "redirected", "moved"]);
const WARN = new Set(["redirected", "moved", "content_mismatch"]);
const INCONCLUSIVE = new Set(["blocked", "checker_offline"]);

export const $ = (id) => document.getElementById(id);

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) { node.className = className; }
  if (text !== undefined && text !== null) { node.textContent = String(text); }
  return node;
}

export function words(text) { return String(text || "").replace(/_/g, " "); }

export function capitalised(text) { return text.charAt(0).toUpperCase() + text.slice(1); }

export function safeHref(url) { return /^https?:\/\//i.test(url || "") ? url : null; }

export function ago(iso) {
  if (!iso) { return ""; }
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (isNaN(seconds)) { return ""; }
  if (seconds < 60) { return "just now"; }
  for (const [size, unit] of [[86400, "day"], [3600, "hour"], [60, "minute"]]) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${unit}${n === 1 ? "" : "s"} ago`;
    }
  }
  return "";
}

/* How one check counts in the strip and the uptime: up, warn, down or inconclusive. */
export function kindOf(outcome) {
  if (INCONCLUSIVE.has(outcome)) { return "inconclusive"; }
  if (WARN.has(outcome)) { return "warn"; }
  return UP.has(outcome) ? "up" : "down";
}

export function isUp(outcome) { return UP.has(outcome); }
