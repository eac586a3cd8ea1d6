/* refsvc editor dashboard: reads the public JSON API, and the editor endpoints with the bearer token
 * kept in sessionStorage (asked for once per tab). Cards: cards.js; page audit: audit.js. */
import {ASKED_KEY, api, forgetToken, isRefused, keepToken, token} from "./api.js";
import {setUpAudit} from "./audit.js";
import {HISTORY, renderCard, reportItem} from "./cards.js";
import {$, el} from "./format.js";

const REFRESH_MS = 60000;
const ORDER = {broken: 0, failing: 1, warning: 2, unknown: 3, healthy: 4};  // what needs an editor first

const state = {resources: [], checks: {}, reports: {}, openReports: {}, pendingAction: null,
               filter: {health: "", tag: "", q: "", reported: false}};

const announce = (text) => { $("announce").textContent = text; };
const list = (data) => (Array.isArray(data) ? data : []);

/* ---- rendering ---- */

function matches(resource) {
  const f = state.filter;
  if (f.health && (resource.health || "unknown") !== f.health) { return false; }
  if (f.tag && !(resource.tags || []).includes(f.tag)) { return false; }
  if (f.reported && !(state.reports[resource.id] || []).length) { return false; }
  const hay = `${resource.name || ""} ${resource.url || ""} ${resource.id}`.toLowerCase();
  return !f.q || hay.includes(f.q.toLowerCase());
}

function view() {
  return {checks: state.checks, reports: state.reports, openReports: state.openReports, signedIn: Boolean(token()),
          onCheck: checkNow, onReportStatus: setReportStatus};
}

function renderOtherReports() {
  const section = $("other-reports");
  const open = (state.reports[""] || []).filter((r) => (r.status || "open") === "open");
  section.hidden = !token() || !open.length;
  section.querySelector("ul").replaceChildren(...open.map((report) => {
    const li = reportItem(report, setReportStatus);
    li.prepend(el("p", "report__url", report.url));
    return li;
  }));
}

function render() {
  const counts = {all: state.resources.length};
  for (const r of state.resources) { counts[r.health || "unknown"] = (counts[r.health || "unknown"] || 0) + 1; }
  for (const node of document.querySelectorAll("[data-count]")) { node.textContent = counts[node.dataset.count] || 0; }
  // A refresh rebuilds the cards: keep the focus where the editor had it.
  const focused = document.activeElement && document.activeElement.closest("#resources > li");
  const focusId = focused ? focused.dataset.resourceId : null;
  const focusClass = focusId ? document.activeElement.className.split(" ").pop() : null;
  const shown = state.resources.filter(matches).sort((a, b) =>
    (ORDER[a.health] - ORDER[b.health]) || String(a.name).localeCompare(String(b.name)));
  const context = view();
  $("resources").replaceChildren(...shown.map((resource) => renderCard(resource, context)));
  if (focusId && focusClass) {
    const again = document.querySelector(`#resource-${CSS.escape(focusId)} .${CSS.escape(focusClass)}`);
    if (again) { again.focus(); }
  }
  $("empty").hidden = shown.length > 0 || !state.resources.length;
  renderOtherReports();
}

function renderTags() {
  const select = $("tag-filter");
  const tags = [...new Set(state.resources.flatMap((r) => r.tags || []))].sort();
  select.replaceChildren(select.options[0], ...tags.map((tag) => {
    const option = el("option", "", tag);
    option.value = tag;
    return option;
  }));
  select.value = tags.includes(state.filter.tag) ? state.filter.tag : "";
}

/* ---- loading ---- */

const loadedAt = {};  // resource id -> the last_checked_at its history was fetched for

async function loadChecks(resource) {
  loadedAt[resource.id] = resource.last_checked_at || "";
  try {
    state.checks[resource.id] = list(await api(`/v1/resources/${encodeURIComponent(resource.id)}/checks?page_size=${HISTORY}`));
  } catch (error) {
    state.checks[resource.id] = [];
  }
}

async function loadReports() {
  state.reports = {};
  if (token()) {
    try {
      for (const report of list(await api("/v1/reports?status=open&page_size=500", {editor: true}))) {
        (state.reports[report.resource_id || ""] ||= []).push(report);
      }
    } catch (error) {
      if (isRefused(error)) { signOut(); askToken("Your token was refused; sign in again."); }
    }
  }
  render();
}

async function load() {
  try {
    state.resources = list(await api("/v1/resources?page_size=500"));
    renderTags();
    $("load-error").hidden = true;
    // Only histories that changed since the last refresh: one request per new check, not per card.
    await Promise.all(state.resources.filter((r) => loadedAt[r.id] !== (r.last_checked_at || ""))
      .map(loadChecks));
    render();
    $("refreshed").textContent = `Updated ${new Date().toLocaleTimeString()}`;
    await loadReports();
  } catch (error) {
    $("load-error").hidden = false;
    $("load-error").textContent = `Could not load the resources: ${error.message}`;
  }
}

async function refreshOne(id) {
  const resource = await api(`/v1/resources/${encodeURIComponent(id)}`);
  state.resources = state.resources.map((r) => (r.id === id ? resource : r));
  await loadChecks(resource);
  render();
}

/* ---- editor actions: each runs once there is a token, asking for it first if needed ---- */

function editorAction(action) {
  if (!token()) { state.pendingAction = action; askToken(); return; }
  action().catch((error) => {
    if (isRefused(error)) {
      signOut();
      state.pendingAction = action;
      askToken("Your token was refused; sign in again.");
      return;
    }
    announce(`That did not work: ${error.message}`);
    $("load-error").hidden = false;
    $("load-error").textContent = error.message;
  });
}

function checkNow(resource, button) {
  editorAction(async () => {
    button.disabled = true;
    button.textContent = "Checking\u2026";
    button.setAttribute("aria-busy", "true");
    try {
      const check = await api(`/v1/resources/${encodeURIComponent(resource.id)}/check`, {method: "POST", editor: true});
      announce(`${resource.name || resource.id} checked: ${(check.outcome || "").replace(/_/g, " ")}` +
               (check.reason ? `, ${check.reason}` : ""));
      await refreshOne(resource.id);
    } finally {
      // On success the card was rebuilt; on failure this puts the button back.
      button.disabled = false;
      button.textContent = "Check now";
      button.removeAttribute("aria-busy");
    }
  });
}

function setReportStatus(report, status) {
  editorAction(async () => {
    await api(`/v1/reports/${encodeURIComponent(report.id)}`, {method: "PATCH", editor: true, body: {status}});
    announce(`Report ${status}.`);
    await loadReports();
  });
}

/* ---- the token ---- */

function showEditorState() {
  const signedIn = Boolean(token());
  $("editor-state").textContent = signedIn ? "Editor" : "Read-only";
  $("editor-state").classList.toggle("editor-state--on", signedIn);
  $("sign-in").hidden = signedIn;
  $("sign-out").hidden = !signedIn;
}

function signOut() {
  forgetToken();
  state.reports = {};
  showEditorState();
  render();
}

function askToken(message) {
  sessionStorage.setItem(ASKED_KEY, "1");
  $("token-error").hidden = !message;
  $("token-error").textContent = message || "";
  $("token-input").value = "";
  if (!$("token-dialog").open) { $("token-dialog").showModal(); }
  $("token-input").focus();
}

async function submitToken(event) {
  event.preventDefault();
  const value = $("token-input").value.trim();
  if (!value) { return; }
  $("token-submit").disabled = true;
  try {
    await api("/v1/reports?status=open&page_size=1", {editor: true, bearer: value});  // try it before keeping it
  } catch (error) {
    $("token-submit").disabled = false;
    $("token-error").hidden = false;
    $("token-error").textContent = isRefused(error) ? "That token was refused. Check it and try again."
                                                    : "The service did not answer; try again.";
    return;
  }
  $("token-submit").disabled = false;
  keepToken(value);
  $("token-dialog").close();
  showEditorState();
  announce("Signed in as editor.");
  load();  // editors see more: the Wayback suggestion and the reports
  const action = state.pendingAction;
  state.pendingAction = null;
  if (action) { editorAction(action); }
}

/* ---- filters, kept in the address so a view can be shared ---- */

function syncChips() {
  for (const chip of document.querySelectorAll("#health-filter .chip")) {
    chip.setAttribute("aria-pressed", String(chip.dataset.health === state.filter.health));
  }
}

function readFilters() {
  const params = new URLSearchParams(location.search);
  Object.assign(state.filter, {health: params.get("health") || "", tag: params.get("tag") || "",
                               q: params.get("q") || "", reported: params.get("reported") === "1"});
  $("search").value = state.filter.q;
  $("reported-only").checked = state.filter.reported;
  syncChips();
}

function writeFilters() {
  const params = new URLSearchParams();
  for (const key of ["health", "tag", "q"]) { if (state.filter[key]) { params.set(key, state.filter[key]); } }
  if (state.filter.reported) { params.set("reported", "1"); }
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
  syncChips();
  render();
}

function setUp() {
  readFilters();
  showEditorState();
  $("health-filter").addEventListener("click", (event) => {
    const chip = event.target.closest(".chip");
    if (chip) { state.filter.health = chip.dataset.health; writeFilters(); }
  });
  $("tag-filter").addEventListener("change", (e) => { state.filter.tag = e.target.value; writeFilters(); });
  $("search").addEventListener("input", (e) => { state.filter.q = e.target.value.trim(); writeFilters(); });
  $("reported-only").addEventListener("change", (e) => { state.filter.reported = e.target.checked; writeFilters(); });
  $("refresh").addEventListener("click", load);
  $("sign-in").addEventListener("click", () => askToken());
  $("sign-out").addEventListener("click", () => { signOut(); announce("Signed out."); });
  $("token-form").addEventListener("submit", submitToken);
  $("token-cancel").addEventListener("click", () => { state.pendingAction = null; $("token-dialog").close(); });
  setUpAudit(editorAction);
  load().then(() => { if (!token() && !sessionStorage.getItem(ASKED_KEY)) { askToken(); } });  // once per tab
  setInterval(() => { if (!document.hidden) { load(); } }, REFRESH_MS);
}

setUp();  // a module runs after the document is parsed
