/* refsvc editor dashboard: reads the public JSON API, and the editor endpoints with the bearer
 * token kept in sessionStorage. Every value from the API goes into the page as text. */
(function () {
  "use strict";

  var TOKEN_KEY = "refsvc.editorToken";
  var ASKED_KEY = "refsvc.tokenAsked";
  var HISTORY = 30;  // checks in the strip and in the uptime figure
  var REFRESH_MS = 60000;
  var ICONS = {healthy: "\u2713", warning: "!", failing: "\u25B2", broken: "\u2715", unknown: "?"};
  var UP = {ok: 1, redirected: 1, moved: 1};
  var WARNING_WORDS = {redirected: "redirected within the site", moved: "moved to another site",
                       content_drifting: "page content drifting from the description",
                       slow: "slow to answer", certificate_expiring: "TLS certificate expiring soon",
                       logo_missing: "logo missing"};
  var INCONCLUSIVE = {blocked: 1};
  var WARN = {redirected: 1, moved: 1, content_mismatch: 1};

  var state = {resources: [], checks: {}, reports: {}, openReports: {}, filter: {health: "", tag: "", q: "", reported: false},
               pendingAction: null};
  var $ = function (id) { return document.getElementById(id); };

  function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }

  function api(path, options) {
    options = options || {};
    var headers = {"Accept": "application/json"};
    // Reads carry the token too when there is one: editors see more (the Wayback suggestion).
    if (options.editor || token()) { headers.Authorization = "Bearer " + token(); }
    if (options.body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(path, {method: options.method || "GET", headers: headers, cache: "no-cache",
                        body: options.body === undefined ? undefined : JSON.stringify(options.body)})
      .then(function (response) {
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          if (!response.ok) {
            var error = new Error((data && data.message) || ("The API answered " + response.status));
            error.status = response.status;
            throw error;
          }
          return data;
        });
      });
  }

  function list(data, key) {
    if (Array.isArray(data)) { return data; }
    if (data && Array.isArray(data[key])) { return data[key]; }
    if (data && Array.isArray(data.items)) { return data.items; }
    return [];
  }

  function announce(text) { $("announce").textContent = text; }

  /* ---- formatting ---- */

  function ago(iso) {
    if (!iso) { return ""; }
    var seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
    if (isNaN(seconds)) { return ""; }
    if (seconds < 60) { return "just now"; }
    var units = [[86400, "day"], [3600, "hour"], [60, "minute"]];
    for (var i = 0; i < units.length; i++) {
      if (seconds >= units[i][0]) {
        var n = Math.floor(seconds / units[i][0]);
        return n + " " + units[i][1] + (n === 1 ? "" : "s") + " ago";
      }
    }
    return "";
  }

  function words(text) { return String(text || "").replace(/_/g, " "); }

  function lastCheck(resource) {
    var check = resource.last_check || null;
    if (!check) { return null; }
    var result = check.result || {};
    return {
      outcome: check.outcome, reason: check.reason || result.reason || "",
      checked_at: check.checked_at || result.checked_at,
      elapsed_ms: check.elapsed_ms != null ? check.elapsed_ms : result.elapsed_ms,
      status_code: check.status_code != null ? check.status_code : result.status_code,
      cert_days_left: check.cert_days_left != null ? check.cert_days_left : result.cert_days_left,
      tls_valid: check.tls_valid != null ? check.tls_valid : result.tls_valid
    };
  }

  function wayback(resource) {
    var w = resource.suggested_replacement;  // shown to editors only, by the API
    w = w && w.url;
    return typeof w === "string" && /^https?:\/\//i.test(w) ? w : null;
  }

  function safeHref(url) { return /^https?:\/\//i.test(url || "") ? url : null; }

  /* ---- rendering ---- */

  function renderHistory(card, checks) {
    var strip = card.querySelector(".history");
    strip.textContent = "";
    var recent = checks.slice(0, HISTORY).reverse();  // oldest left, newest right
    var up = 0, counted = 0, down = 0, warn = 0;
    recent.forEach(function (check) {
      var kind = INCONCLUSIVE[check.outcome] ? "inconclusive" : WARN[check.outcome] ? "warn"
        : UP[check.outcome] ? "up" : "down";
      if (kind !== "inconclusive") { counted++; }
      if (UP[check.outcome]) { up++; }
      if (kind === "down") { down++; }
      if (kind === "warn") { warn++; }
      var bar = document.createElement("span");
      bar.className = "history__bar history__bar--" + kind;
      bar.title = new Date(check.checked_at).toLocaleString() + ": " + words(check.outcome) +
        (check.reason ? " \u2013 " + check.reason : "");
      strip.appendChild(bar);
    });
    if (!recent.length) { strip.textContent = "none yet"; }
    card.querySelector(".history-summary").textContent = recent.length
      ? "Last " + recent.length + " checks: " + (up - warn) + " ok, " + warn + " with a warning, " + down +
        " failed, " + (recent.length - counted) + " inconclusive."
      : "No checks yet.";
    var uptime = card.querySelector(".metric-uptime");
    uptime.textContent = counted ? (Math.round(1000 * up / counted) / 10) + "%" : "\u2013";
    uptime.title = counted ? "Of the last " + counted + " conclusive checks" : "";
  }

  function renderReports(card, resource) {
    var reports = state.reports[resource.id] || [];
    var box = card.querySelector(".resource__reports");
    var open = reports.filter(function (r) { return (r.status || "open") === "open"; });
    box.hidden = !token() || !open.length;
    if (box.hidden) { return; }
    box.open = !!state.openReports[resource.id];
    box.addEventListener("toggle", function () { state.openReports[resource.id] = box.open; });
    var total = open.reduce(function (sum, r) { return sum + (r.count || 1); }, 0);
    card.querySelector(".reports-count").textContent = "\u2691 " + total + " open visitor report" +
      (total === 1 ? "" : "s");
    var ul = card.querySelector(".reports");
    ul.textContent = "";
    open.forEach(function (report) { ul.appendChild(reportItem(report)); });
  }

  /* Reports whose link is not in the registry (sent by URL). */
  function renderOtherReports() {
    var section = $("other-reports");
    var open = (state.reports[""] || []).filter(function (r) { return (r.status || "open") === "open"; });
    section.hidden = !token() || !open.length;
    var ul = section.querySelector("ul");
    ul.textContent = "";
    open.forEach(function (report) {
      var li = reportItem(report);
      var url = document.createElement("p");
      url.className = "report__url";
      url.textContent = report.url;
      li.insertBefore(url, li.firstChild);
      ul.appendChild(li);
    });
  }

  function reportItem(report) {
    var li = document.createElement("li");
    li.className = "report";
    var head = document.createElement("p");
    head.className = "report__head";
    head.textContent = words(report.reason) + (report.count > 1 ? " \u00d7" + report.count : "") +
      " \u00b7 last reported " + ago(report.last_reported_at || report.created_at);
    li.appendChild(head);
    (report.comments || []).slice(-3).forEach(function (c) {
      var q = document.createElement("blockquote");
      q.textContent = typeof c === "string" ? c : (c.comment || c.text || "");
      if (q.textContent) { li.appendChild(q); }
    });
    (report.pages || []).slice(-2).forEach(function (page) {
      var p = document.createElement("p");
      p.className = "report__page";
      p.textContent = "Seen on " + page;
      li.appendChild(p);
    });
    ["resolved", "dismissed"].forEach(function (status) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--small button--quiet";
      button.textContent = status === "resolved" ? "Mark resolved" : "Dismiss";
      button.addEventListener("click", function () {
        editorAction(function () {
          return api("/v1/reports/" + encodeURIComponent(report.id),
                     {method: "PATCH", editor: true, body: {status: status}})
            .then(function () { announce("Report " + status + "."); return loadReports(); });
        });
      });
      li.appendChild(button);
    });
    return li;
  }

  function renderCard(resource) {
    var card = $("resource-template").content.firstElementChild.cloneNode(true);
    var health = resource.health || "unknown";
    card.id = "resource-" + resource.id;
    card.setAttribute("data-resource-id", resource.id);
    card.setAttribute("data-health", health);
    card.classList.add("resource--" + health);
    var badge = card.querySelector(".badge");
    badge.classList.add("badge--" + health);
    card.querySelector(".badge__icon").textContent = ICONS[health] || "?";
    card.querySelector(".badge__text").textContent = health.charAt(0).toUpperCase() + health.slice(1);
    var link = card.querySelector(".resource__link");
    link.textContent = resource.name || resource.id;
    if (safeHref(resource.url)) { link.href = resource.url; }
    card.querySelector(".resource__url").textContent = resource.url || "";
    var check = lastCheck(resource);
    var outcome = card.querySelector(".outcome");
    if (check && check.outcome) {
      outcome.textContent = words(check.outcome);
      outcome.className = "outcome outcome--" + check.outcome;
      card.querySelector(".resource__reason").textContent = check.reason;
      var when = card.querySelector(".resource__when");
      when.textContent = "\u00b7 " + ago(check.checked_at);
      when.title = check.checked_at ? new Date(check.checked_at).toLocaleString() : "";
      card.querySelector(".metric-response").textContent = check.elapsed_ms != null
        ? check.elapsed_ms + " ms" : "\u2013";
      if (check.status_code) { outcome.title = "HTTP " + check.status_code; }
      card.querySelector(".metric-tls").textContent = check.cert_days_left != null
        ? (check.tls_valid === false ? "invalid, " : "") + check.cert_days_left + " days"
        : (/^http:/i.test(resource.url || "") ? "no TLS (http)" : "\u2013");
      if (check.cert_days_left != null && check.cert_days_left < 14) {
        card.querySelector(".metric-tls").classList.add("metric--warn");
      }
    } else {
      outcome.textContent = "not checked yet";
      outcome.className = "outcome outcome--none";
    }
    var warnings = (resource.warnings || []).map(function (w) { return WARNING_WORDS[w] || words(w); });
    if (warnings.length) {
      var warn = card.querySelector(".resource__warnings");
      warn.hidden = false;
      warn.textContent = "! " + warnings.join("; ");
    }
    var tags = card.querySelector(".resource__tags");
    (resource.tags || []).forEach(function (tag) {
      var t = document.createElement("span");
      t.className = "tag";
      t.textContent = tag;
      tags.appendChild(t);
    });
    if (resource.active === false) {
      var inactive = document.createElement("span");
      inactive.className = "tag tag--inactive";
      inactive.textContent = "inactive";
      tags.appendChild(inactive);
    }
    var suggestion = wayback(resource);
    if (suggestion && (health === "broken" || health === "failing")) {
      var box = card.querySelector(".resource__suggestion");
      box.hidden = false;
      var a = box.querySelector("a");
      a.href = suggestion;
      a.textContent = suggestion;
    }
    renderHistory(card, state.checks[resource.id] || []);
    renderReports(card, resource);
    var button = card.querySelector(".check-now");
    button.setAttribute("aria-label", "Check " + (resource.name || resource.id) + " now");
    button.addEventListener("click", function () { checkNow(resource, button); });
    return card;
  }

  function matches(resource) {
    var f = state.filter;
    if (f.health && (resource.health || "unknown") !== f.health) { return false; }
    if (f.tag && (resource.tags || []).indexOf(f.tag) < 0) { return false; }
    if (f.reported && !(state.reports[resource.id] || []).length) { return false; }
    if (f.q) {
      var hay = ((resource.name || "") + " " + (resource.url || "") + " " + resource.id).toLowerCase();
      if (hay.indexOf(f.q.toLowerCase()) < 0) { return false; }
    }
    return true;
  }

  var ORDER = {broken: 0, failing: 1, warning: 2, unknown: 3, healthy: 4};

  function render() {
    var counts = {all: state.resources.length};
    state.resources.forEach(function (r) { counts[r.health || "unknown"] = (counts[r.health || "unknown"] || 0) + 1; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-count]"), function (node) {
      node.textContent = counts[node.getAttribute("data-count")] || 0;
    });
    var ol = $("resources");
    // A refresh rebuilds the cards: keep what the editor had open and where the focus was.
    var focused = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("#resources > li");
    var focusId = focused ? focused.getAttribute("data-resource-id") : null;
    var focusClass = focusId ? document.activeElement.className.split(" ").pop() : null;
    ol.textContent = "";
    var shown = state.resources.filter(matches).sort(function (a, b) {
      // What needs an editor comes first.
      return (ORDER[a.health] - ORDER[b.health]) || String(a.name).localeCompare(String(b.name));
    });
    shown.forEach(function (resource) { ol.appendChild(renderCard(resource)); });
    if (focusId && focusClass) {
      var again = document.querySelector("#resource-" + CSS.escape(focusId) + " ." + CSS.escape(focusClass));
      if (again) { again.focus(); }
    }
    $("empty").hidden = shown.length > 0 || !state.resources.length;
    renderOtherReports();
  }

  function renderTags() {
    var select = $("tag-filter");
    var seen = {};
    state.resources.forEach(function (r) { (r.tags || []).forEach(function (t) { seen[t] = 1; }); });
    var current = state.filter.tag;
    while (select.options.length > 1) { select.remove(1); }
    Object.keys(seen).sort().forEach(function (tag) {
      var option = document.createElement("option");
      option.value = tag;
      option.textContent = tag;
      select.appendChild(option);
    });
    select.value = seen[current] ? current : "";
  }

  /* ---- loading ---- */

  function loadChecks(resource) {
    return api("/v1/resources/" + encodeURIComponent(resource.id) + "/checks?page_size=" + HISTORY)
      .then(function (data) { state.checks[resource.id] = list(data, "checks"); })
      .catch(function () { state.checks[resource.id] = []; });
  }

  function loadReports() {
    if (!token()) { state.reports = {}; render(); return Promise.resolve(); }
    return api("/v1/reports?status=open&page_size=500", {editor: true}).then(function (data) {
      state.reports = {};
      list(data, "reports").forEach(function (report) {
        var key = report.resource_id || "";
        (state.reports[key] = state.reports[key] || []).push(report);
      });
      render();
    }).catch(function (error) {
      if (error.status === 401 || error.status === 403) { signOut(); askToken("Your token was refused; sign in again."); }
    });
  }

  function load() {
    return api("/v1/resources?page_size=500").then(function (data) {
      state.resources = list(data, "resources");
      renderTags();
      $("load-error").hidden = true;
      return Promise.all(state.resources.map(loadChecks));
    }).then(function () {
      render();
      $("refreshed").textContent = "Updated " + new Date().toLocaleTimeString();
      return loadReports();
    }).catch(function (error) {
      $("load-error").hidden = false;
      $("load-error").textContent = "Could not load the resources: " + error.message;
    });
  }

  function refreshOne(id) {
    return api("/v1/resources/" + encodeURIComponent(id)).then(function (resource) {
      state.resources = state.resources.map(function (r) { return r.id === id ? resource : r; });
      return loadChecks(resource);
    }).then(render);
  }

  /* ---- editor actions ---- */

  function editorAction(action) {
    if (!token()) { state.pendingAction = action; askToken(); return; }
    action().catch(function (error) {
      if (error.status === 401 || error.status === 403) {
        signOut();
        state.pendingAction = action;
        askToken("Your token was refused; sign in again.");
      } else {
        announce("That did not work: " + error.message);
        $("load-error").hidden = false;
        $("load-error").textContent = error.message;
      }
    });
  }

  function checkNow(resource, button) {
    editorAction(function () {
      button.disabled = true;
      button.textContent = "Checking\u2026";
      button.setAttribute("aria-busy", "true");
      return api("/v1/resources/" + encodeURIComponent(resource.id) + "/check", {method: "POST", editor: true})
        .then(function (check) {
          announce((resource.name || resource.id) + " checked: " + words(check && check.outcome) +
                   (check && check.reason ? ", " + check.reason : ""));
          return refreshOne(resource.id);
        })
        .finally(function () {
          // The card is re-rendered on success; on failure restore this button.
          button.disabled = false;
          button.textContent = "Check now";
          button.removeAttribute("aria-busy");
        });
    });
  }

  function showEditorState() {
    var signedIn = !!token();
    $("editor-state").textContent = signedIn ? "Editor" : "Read-only";
    $("editor-state").classList.toggle("editor-state--on", signedIn);
    $("sign-in").hidden = signedIn;
    $("sign-out").hidden = !signedIn;
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    state.reports = {};
    showEditorState();
    render();
  }

  function askToken(message) {
    sessionStorage.setItem(ASKED_KEY, "1");
    var error = $("token-error");
    error.hidden = !message;
    error.textContent = message || "";
    $("token-input").value = "";
    var dialog = $("token-dialog");
    if (!dialog.open) { dialog.showModal(); }
    $("token-input").focus();
  }

  function submitToken(event) {
    event.preventDefault();
    var value = $("token-input").value.trim();
    if (!value) { return; }
    var submit = $("token-submit");
    submit.disabled = true;
    // Try the token on an editor endpoint before keeping it.
    fetch("/v1/reports?status=open&page_size=1", {headers: {"Authorization": "Bearer " + value, "Accept": "application/json"},
                                      cache: "no-cache"})
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          $("token-error").hidden = false;
          $("token-error").textContent = "That token was refused. Check it and try again.";
          return;
        }
        sessionStorage.setItem(TOKEN_KEY, value);
        $("token-dialog").close();
        showEditorState();
        announce("Signed in as editor.");
        load();  // editors see more (the Wayback suggestion, reports)
        var action = state.pendingAction;
        state.pendingAction = null;
        if (action) { editorAction(action); }
      })
      .catch(function () {
        $("token-error").hidden = false;
        $("token-error").textContent = "The service did not answer; try again.";
      })
      .finally(function () { submit.disabled = false; });
  }

  /* ---- page audit ---- */

  var FLAG_WORDS = {unregistered: "not registered", broken: "broken", moved: "moved",
                    description_differs: "description differs"};

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    if (text !== undefined) { td.textContent = text; }
    row.appendChild(td);
    return td;
  }

  function renderAudit(result) {
    var s = result.summary || {};
    $("audit-summary").textContent = s.outbound_links + " outbound link" + (s.outbound_links === 1 ? "" : "s") +
      ": " + s.unregistered + " not registered, " + s.broken + " broken, " + s.moved + " moved, " +
      s.description_differs + " with a description that differs.";
    var tbody = $("audit-results").querySelector("tbody");
    tbody.textContent = "";
    (result.links || []).forEach(function (link) {
      var row = document.createElement("tr");
      var first = cell(row, undefined, "audit__link");
      var strong = document.createElement("strong");
      strong.textContent = link.text || "(no text)";
      first.appendChild(strong);
      first.appendChild(document.createElement("br"));
      first.appendChild(document.createTextNode(link.url));
      cell(row, link.resource ? link.resource.name + " (" + link.match + ")" : "\u2013");
      var health = cell(row);
      if (link.health) {
        var badge = document.createElement("span");
        badge.className = "badge badge--" + link.health;
        badge.textContent = (ICONS[link.health] || "?") + " " + link.health;
        health.appendChild(badge);
      }
      var flags = cell(row, (link.flags || []).map(function (f) { return FLAG_WORDS[f] || words(f); }).join(", ") ||
        "none", "audit__flags");
      if (link.flags && link.flags.length) { flags.classList.add("audit__flags--some"); }
      if (link.moved_to) { flags.appendChild(document.createTextNode(" \u2192 " + link.moved_to)); }
      tbody.appendChild(row);
    });
    $("audit-results").hidden = !(result.links || []).length;
  }

  function auditPage(event) {
    event.preventDefault();
    var url = $("audit-url").value.trim();
    editorAction(function () {
      $("audit-summary").textContent = "Fetching and auditing the page\u2026";
      return api("/v1/audits", {method: "POST", editor: true, body: {url: url}}).then(renderAudit)
        .catch(function (error) {
          if (error.status === 401 || error.status === 403) { throw error; }
          $("audit-summary").textContent = "The audit did not work: " + error.message;
          $("audit-results").hidden = true;
        });
    });
  }

  /* ---- wiring ---- */

  function readFilters() {
    var params = new URLSearchParams(location.search);
    state.filter.health = params.get("health") || "";
    state.filter.tag = params.get("tag") || "";
    state.filter.q = params.get("q") || "";
    state.filter.reported = params.get("reported") === "1";
    $("search").value = state.filter.q;
    $("reported-only").checked = state.filter.reported;
    syncChips();
  }

  function writeFilters() {
    var params = new URLSearchParams();
    if (state.filter.health) { params.set("health", state.filter.health); }
    if (state.filter.tag) { params.set("tag", state.filter.tag); }
    if (state.filter.q) { params.set("q", state.filter.q); }
    if (state.filter.reported) { params.set("reported", "1"); }
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    syncChips();
    render();
  }

  function syncChips() {
    Array.prototype.forEach.call(document.querySelectorAll("#health-filter .chip"), function (chip) {
      chip.setAttribute("aria-pressed", String(chip.getAttribute("data-health") === state.filter.health));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    readFilters();
    showEditorState();
    $("health-filter").addEventListener("click", function (event) {
      var chip = event.target.closest(".chip");
      if (!chip) { return; }
      state.filter.health = chip.getAttribute("data-health");
      writeFilters();
    });
    $("tag-filter").addEventListener("change", function (e) { state.filter.tag = e.target.value; writeFilters(); });
    $("search").addEventListener("input", function (e) { state.filter.q = e.target.value.trim(); writeFilters(); });
    $("reported-only").addEventListener("change", function (e) { state.filter.reported = e.target.checked; writeFilters(); });
    $("refresh").addEventListener("click", load);
    $("sign-in").addEventListener("click", function () { askToken(); });
    $("sign-out").addEventListener("click", function () { signOut(); announce("Signed out."); });
    $("token-form").addEventListener("submit", submitToken);
    $("audit-form").addEventListener("submit", auditPage);
    $("token-cancel").addEventListener("click", function () { state.pendingAction = null; $("token-dialog").close(); });
    load().then(function () {
      if (!token() && !sessionStorage.getItem(ASKED_KEY)) { askToken(); }  // ask once per tab
    });
    setInterval(function () { if (!document.hidden) { load(); } }, REFRESH_MS);
  });
})();
