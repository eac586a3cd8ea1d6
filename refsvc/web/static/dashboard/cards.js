/* One resource's card: health in words and colour, last check, metrics, history strip, reports. */
import {ICONS, WARNING_WORDS, $, ago, capitalised, el, isUp, kindOf, safeHref, words} from "./format.js";

export const HISTORY = 30;  // checks in the strip and in the uptime figure

function lastCheck(resource) {
  const check = resource.last_check;
  if (!check) { return null; }
  const result = check.result || {};
  const pick = (key) => (check[key] !== undefined && check[key] !== null ? check[key] : result[key]);
  return {outcome: check.outcome, reason: check.reason || result.reason || "", checked_at: pick("checked_at"),
          elapsed_ms: pick("elapsed_ms"), status_code: pick("status_code"),
          cert_days_left: pick("cert_days_left"), tls_valid: pick("tls_valid")};
}

function renderHistory(card, checks) {
  const strip = card.querySelector(".history");
  const recent = checks.slice(0, HISTORY).reverse();  // oldest left, newest right
  const counts = {up: 0, warn: 0, down: 0, inconclusive: 0};
  let up = 0;
  strip.textContent = recent.length ? "" : "none yet";
  for (const check of recent) {
    const kind = kindOf(check.outcome);
    counts[kind] += 1;
    if (isUp(check.outcome)) { up += 1; }
    const bar = el("span", `history__bar history__bar--${kind}`);
    bar.title = `${new Date(check.checked_at).toLocaleString()}: ${words(check.outcome)}` +
      (check.reason ? ` \u2013 ${check.reason}` : "");
    strip.appendChild(bar);
  }
  card.querySelector(".history-summary").textContent = recent.length
    ? `Last ${recent.length} checks: ${counts.up} ok, ${counts.warn} with a warning, ${counts.down} failed, ` +
      `${counts.inconclusive} inconclusive.`
    : "No checks yet.";
  const counted = recent.length - counts.inconclusive;
  const uptime = card.querySelector(".metric-uptime");
  uptime.textContent = counted ? `${Math.round(1000 * up / counted) / 10}%` : "\u2013";
  uptime.title = counted ? `Of the last ${counted} conclusive checks` : "";
}

export function reportItem(report, onStatus) {
  const li = el("li", "report");
  li.appendChild(el("p", "report__head", `${words(report.reason)}${report.count > 1 ? " \u00d7" + report.count : ""}` +
                                         ` \u00b7 last reported ${ago(report.last_reported_at)}`));
  for (const comment of (report.comments || []).slice(-3)) {
    const text = typeof comment === "string" ? comment : (comment.comment || "");
    if (text) { li.appendChild(el("blockquote", "", text)); }
  }
  for (const page of (report.pages || []).slice(-2)) { li.appendChild(el("p", "report__page", `Seen on ${page}`)); }
  for (const [status, label] of [["resolved", "Mark resolved"], ["dismissed", "Dismiss"]]) {
    const button = el("button", "button button--small button--quiet", label);
    button.type = "button";
    button.addEventListener("click", () => onStatus(report, status));
    li.appendChild(button);
  }
  return li;
}

function renderReports(card, resource, view) {
  const open = (view.reports[resource.id] || []).filter((r) => (r.status || "open") === "open");
  const box = card.querySelector(".resource__reports");
  box.hidden = !view.signedIn || !open.length;
  if (box.hidden) { return; }
  box.open = Boolean(view.openReports[resource.id]);
  box.addEventListener("toggle", () => { view.openReports[resource.id] = box.open; });
  const total = open.reduce((sum, r) => sum + (r.count || 1), 0);
  card.querySelector(".reports-count").textContent = `\u2691 ${total} open visitor report${total === 1 ? "" : "s"}`;
  const ul = card.querySelector(".reports");
  for (const report of open) { ul.appendChild(reportItem(report, view.onReportStatus)); }
}

function renderLastCheck(card, resource) {
  const check = lastCheck(resource);
  const outcome = card.querySelector(".outcome");
  if (!check || !check.outcome) {
    outcome.textContent = "not checked yet";
    outcome.className = "outcome outcome--none";
    return;
  }
  outcome.textContent = words(check.outcome);
  outcome.className = `outcome outcome--${check.outcome}`;
  if (check.status_code) { outcome.title = `HTTP ${check.status_code}`; }
  card.querySelector(".resource__reason").textContent = check.reason;
  const when = card.querySelector(".resource__when");
  when.textContent = `\u00b7 ${ago(check.checked_at)}`;
  when.title = check.checked_at ? new Date(check.checked_at).toLocaleString() : "";
  card.querySelector(".metric-response").textContent = check.elapsed_ms != null ? `${check.elapsed_ms} ms` : "\u2013";
  const tls = card.querySelector(".metric-tls");
  if (check.cert_days_left != null) {
    tls.textContent = `${check.tls_valid === false ? "invalid, " : ""}${check.cert_days_left} days`;
    if (check.cert_days_left < 14) { tls.classList.add("metric--warn"); }
  } else if (/^http:/i.test(resource.url || "")) {
    tls.textContent = "no TLS (http)";
  }
}

/* A card for ``resource``; ``view`` holds checks, reports, signedIn and the editor callbacks. */
export function renderCard(resource, view) {
  const card = $("resource-template").content.firstElementChild.cloneNode(true);
  const health = resource.health || "unknown";
  card.id = `resource-${resource.id}`;
  card.dataset.resourceId = resource.id;
  card.dataset.health = health;
  card.classList.add(`resource--${health}`);
  card.querySelector(".badge").classList.add(`badge--${health}`);
  card.querySelector(".badge__icon").textContent = ICONS[health] || "?";
  card.querySelector(".badge__text").textContent = capitalised(health);
  const link = card.querySelector(".resource__link");
  link.textContent = resource.name || resource.id;
  if (safeHref(resource.url)) { link.href = resource.url; }
  card.querySelector(".resource__url").textContent = resource.url || "";
  renderLastCheck(card, resource);
  const warnings = (resource.warnings || []).map((w) => WARNING_WORDS[w] || words(w));
  if (warnings.length) {
    const warn = card.querySelector(".resource__warnings");
    warn.hidden = false;
    warn.textContent = `! ${warnings.join("; ")}`;
  }
  const tags = card.querySelector(".resource__tags");
  for (const tag of resource.tags || []) { tags.appendChild(el("span", "tag", tag)); }
  if (resource.active === false) { tags.appendChild(el("span", "tag tag--inactive", "inactive")); }
  const suggestion = resource.suggested_replacement && safeHref(resource.suggested_replacement.url);
  if (suggestion && (health === "broken" || health === "failing")) {
    const box = card.querySelector(".resource__suggestion");
    box.hidden = false;
    const a = box.querySelector("a");
    a.href = suggestion;
    a.textContent = suggestion;
  }
  renderHistory(card, view.checks[resource.id] || []);
  renderReports(card, resource, view);
  const button = card.querySelector(".check-now");
  button.setAttribute("aria-label", `Check now: ${resource.name || resource.id}`);  // visible words first (WCAG 2.5.3)
  button.addEventListener("click", () => view.onCheck(resource, button));
  return card;
}
