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

  // A logo that cannot be loaded leaves no broken-image box behind.
  document.addEventListener("error", function (event) {
    var img = event.target;
    if (img && img.classList && img.classList.contains("refsvc-resource__logo")) {
      var link = img.closest(".refsvc-resource__logo-link");
      (link || img).hidden = true;
    }
  }, true);

  function load(container) {
    if (container.getAttribute("data-refsvc-state")) { return; }
    container.setAttribute("data-refsvc-state", "loading");
    fetch(container.getAttribute("data-refsvc-block"), {headers: {"Accept": "text/html"}})
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
      }).catch(function () {
        container.setAttribute("data-refsvc-state", "error");  // the page simply shows no block
      });
  }

  function loadAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-refsvc-block]"), load);
  }

  window.refsvcBlock = {load: load, loadAll: loadAll};
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", loadAll); }
  else { loadAll(); }
})();
