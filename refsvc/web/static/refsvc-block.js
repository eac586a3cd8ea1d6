/* refsvc "further reading" block: loads the fragment and sends visitors' reports.
 *
 *   <div data-refsvc-block="https://REFSVC/v1/resources/block?tag=further-reading"></div>
 *   <script src="https://REFSVC/static/refsvc-block.js" defer></script>
 *
 * A page that already has the fragment (server-side include) needs only the script: it wires every
 * report form on the page ([data-refsvc-report]) to POST /v1/reports as JSON.
 */
(function () {
  "use strict";
  if (window.refsvcBlock) { return; }

  function setStatus(form, text, isError) {
    var status = form.querySelector(".refsvc-report__status");
    if (!status) { return; }
    status.textContent = text;
    status.className = "refsvc-report__status" + (isError ? " refsvc-report__status--error" : "");
  }

  function send(form) {
    var data = new FormData(form);
    var body = {resource_id: data.get("resource_id"), reason: data.get("reason") || "broken",
                page: location.href.split("#")[0]};
    var comment = (data.get("comment") || "").trim();
    if (comment) { body.comment = comment.slice(0, 1000); }
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    setStatus(form, "Sending\u2026", false);
    fetch(form.action, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 429) { throw new Error("Too many reports from here; please try later."); }
      if (!response.ok) { throw new Error("The report could not be sent; please try again."); }
      form.setAttribute("data-refsvc-sent", "true");
      setStatus(form, "Thank you: we will check this link.", false);
    }).catch(function (error) {
      if (button) { button.disabled = false; }
      setStatus(form, error.message || "The report could not be sent.", true);
    });
  }

  // One listener for every form, present or inserted later.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("form[data-refsvc-report]")) { return; }
    event.preventDefault();
    send(form);
  });

  function hideLogo(img) {
    var link = img.closest(".refsvc-resource__logo-link");
    (link || img).hidden = true;
  }

  // A logo that cannot be loaded leaves no broken-image box (nor its empty space) behind: those
  // that fail from now on...
  document.addEventListener("error", function (event) {
    var img = event.target;
    if (img && img.classList && img.classList.contains("refsvc-resource__logo")) { hideLogo(img); }
  }, true);

  // ...and those that failed before this script ran (a server-side include's logos load while the
  // page is read). A lazy logo not yet asked for is not complete, so it is left alone.
  function hideFailedLogos() {
    Array.prototype.forEach.call(document.querySelectorAll("img.refsvc-resource__logo"), function (img) {
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) { hideLogo(img); }
    });
  }

  var warned = false;

  function unavailable(container, url, error) {
    container.setAttribute("data-refsvc-state", "error");
    if (!container.children.length) {  // the website's own fallback, if it put one there, stays
      var note = document.createElement("p");
      note.className = "refsvc-block__status";
      note.textContent = "Further reading could not be loaded here. ";
      var link = document.createElement("a");
      link.className = "refsvc-block__fallback";
      link.href = url;
      link.rel = "noopener";
      link.textContent = "Open the list";
      note.appendChild(link);
      container.appendChild(note);
    }
    if (!warned && window.console && error instanceof TypeError) {
      warned = true;  // one line, however many blocks the page has
      var service = new URL(url, location.href).origin;
      console.warn("refsvc-block: " + service + " did not answer this page (" + location.origin + "); if it " +
                   "is running, add " + location.origin + " to REFSVC_CORS_ORIGINS on the refsvc server.");
    }
  }

  function load(container) {
    if (container.getAttribute("data-refsvc-state")) { return; }
    container.setAttribute("data-refsvc-state", "loading");
    var url = container.getAttribute("data-refsvc-block");
    fetch(url, {headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("refsvc answered " + response.status); }
        return response.text();
      }).then(function (html) {
        // The fragment is refsvc's own, escaped where it was rendered; parsing it in an inert
        // document keeps any script in it from running all the same.
        var doc = new DOMParser().parseFromString(html, "text/html");
        Array.prototype.forEach.call(doc.querySelectorAll("script"), function (s) { s.remove(); });
        container.textContent = "";
        Array.prototype.slice.call(doc.body.childNodes).forEach(function (node) {
          container.appendChild(document.importNode(node, true));
        });
        container.setAttribute("data-refsvc-state", "ready");
      }).catch(function (error) {
        // a TypeError is no answer at all: refsvc down, or (most often) this origin not allowed
        unavailable(container, url, error);
      });
  }

  function loadAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-refsvc-block]"), load);
  }

  function start() {
    hideFailedLogos();
    loadAll();
  }

  window.refsvcBlock = {load: load, loadAll: loadAll};
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
