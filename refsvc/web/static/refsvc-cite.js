/* refsvc "cite this page" widget.
 *
 * Usage on any page:
 *   <div data-refsvc-cite></div>
 *   <script src="https://REFSVC/static/refsvc-cite.js" defer></script>
 * Optional attributes on the div:
 *   data-refsvc-service   base URL of refsvc (default: where this script came from)
 *   data-refsvc-metadata  JSON page metadata as POST /v1/citations takes it (default: read from
 *                         the page's <meta> tags, canonical link and title)
 *   data-refsvc-styles    comma-separated style names (default "apa,mla,chicago")
 *   data-refsvc-locale    e.g. "en-GB" (default: the service's)
 *   data-refsvc-heading   heading level of the widget title, 2 to 6 (default 2)
 *   data-refsvc-doi       cite this DOI instead (GET /v1/citations?doi=)
 *   data-refsvc-lookup    "url": let refsvc read the page itself (GET /v1/citations?url=, the page's
 *                         canonical URL or data-refsvc-url)
 *
 * Safety: every string from the page or the service goes in as text. The one exception is the
 * citation HTML the service renders (already escaped there); even that is parsed into an inert
 * document and copied node by node through an allow-list, so no markup of ours or of the page's
 * metadata can ever become a live element.
 */
(function () {
  "use strict";
  if (window.refsvcCite) { return; }  // included twice: one set of listeners is enough

  var script = document.currentScript;
  var DEFAULT_SERVICE = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var LABELS = {apa: "APA", mla: "MLA", chicago: "Chicago", "chicago-author-date": "Chicago (author-date)"};
  var ALLOWED = {I: 1, B: 1, EM: 1, STRONG: 1, SUP: 1, SUB: 1, SPAN: 1, DIV: 1, A: 1};
  var ALLOWED_STYLE = /^(font-(style|weight|variant)|text-decoration)\s*:\s*[a-z-]+;?$/i;
  var CSS = [
    ".refsvc-cite{border:1px solid #c9ced6;border-radius:8px;padding:1rem 1.25rem;max-width:48rem;",
    "font:inherit;color:inherit;background:#fff}",
    ".refsvc-cite__title{margin:0 0 .75rem;font-size:1.15rem}",
    ".refsvc-cite__list{margin:0;padding:0;list-style:none}",
    ".refsvc-cite__entry{padding:.75rem 0;border-top:1px solid #e3e6ea}",
    ".refsvc-cite__entry:first-child{border-top:0;padding-top:0}",
    ".refsvc-cite__style{display:block;font-weight:600;margin-bottom:.25rem}",
    ".refsvc-cite__text{margin:0 0 .5rem;overflow-wrap:anywhere;line-height:1.5}",
    ".refsvc-cite__text .csl-entry{padding-left:2em;text-indent:-2em}",
    ".refsvc-cite__intext{margin:0 0 .5rem;color:#4a5361;font-size:.92em}",
    ".refsvc-cite button,.refsvc-cite__download{font:inherit;font-size:.9em;padding:.3rem .8rem;",
    "border:1px solid #1d5fa8;border-radius:4px;background:#fff;color:#1d5fa8;cursor:pointer;",
    "text-decoration:none;display:inline-block;margin-right:.5rem}",
    ".refsvc-cite button:hover,.refsvc-cite__download:hover{background:#eaf2fb}",
    ".refsvc-cite button:focus-visible,.refsvc-cite__download:focus-visible{outline:3px solid #f0b400;",
    "outline-offset:2px}",
    ".refsvc-cite__exports{margin:.75rem 0 0;padding-top:.75rem;border-top:1px solid #e3e6ea}",
    ".refsvc-cite__status{min-height:1.2em;margin:.5rem 0 0;font-size:.9em;color:#2d6a2d}",
    ".refsvc-cite__status--error{color:#a3261c}"
  ].join("");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* Copy the service's citation HTML through the allow-list into `target`. */
  function appendSafeHTML(target, html) {
    var doc = new DOMParser().parseFromString("<body>" + html, "text/html");  // inert: no scripts run
    (function copy(from, to) {
      Array.prototype.forEach.call(from.childNodes, function (node) {
        if (node.nodeType === Node.TEXT_NODE) {
          to.appendChild(document.createTextNode(node.nodeValue));
        } else if (node.nodeType === Node.ELEMENT_NODE) {
          if (!ALLOWED[node.tagName]) {
            to.appendChild(document.createTextNode(node.textContent));  // unknown tag: keep its text
            return;
          }
          var clean = document.createElement(node.tagName.toLowerCase());
          var style = node.getAttribute("style");
          if (style && ALLOWED_STYLE.test(style.trim())) { clean.setAttribute("style", style.trim()); }
          var cls = node.getAttribute("class");
          if (cls && /^csl-[a-z-]+$/.test(cls)) { clean.className = cls; }
          if (node.tagName === "A") {
            var href = node.getAttribute("href") || "";
            if (/^https?:\/\//i.test(href)) { clean.setAttribute("href", href); clean.rel = "noopener"; }
          }
          copy(node, clean);
          to.appendChild(clean);
        }
      });
    })(doc.body, target);
  }

  function meta(selector) {
    var node = document.querySelector(selector);
    return node ? (node.getAttribute("content") || node.getAttribute("href") || "").trim() : "";
  }

  function metas(selector) {
    return Array.prototype.map.call(document.querySelectorAll(selector), function (n) {
      return (n.getAttribute("content") || "").trim();
    }).filter(Boolean);
  }

  function isoDate(value) {
    var m = /^\d{4}(-\d{2}(-\d{2})?)?/.exec(value || "");
    return m ? m[0] : undefined;
  }

  function author(name) {
    // "Family, Given" is a person (Highwire citation_author style); anything else stays whole,
    // which is right for organisations and harmless for people.
    var parts = name.split(",");
    if (parts.length === 2 && parts[0].trim() && parts[1].trim()) {
      return {family: parts[0].trim(), given: parts[1].trim()};
    }
    return {name: name};
  }

  /* The page's own metadata, from the tags sites already publish for search engines. */
  function pageMetadata() {
    var md = {type: "webpage"};
    md.title = meta('meta[name="citation_title"]') || meta('meta[property="og:title"]') || document.title;
    var names = metas('meta[name="citation_author"]');
    if (!names.length && meta('meta[name="author"]')) { names = [meta('meta[name="author"]')]; }
    if (names.length) { md.authors = names.map(author); }
    var site = meta('meta[property="og:site_name"]');
    if (site) { md.site_name = site; }
    var published = isoDate(meta('meta[name="citation_publication_date"]') ||
                            meta('meta[property="article:published_time"]'));
    if (published) { md.published = published; }
    var modified = isoDate(meta('meta[property="article:modified_time"]'));
    if (modified) { md.modified = modified; }
    md.url = meta('link[rel="canonical"]') || meta('meta[property="og:url"]') || location.href.split("#")[0];
    return md;
  }

  function slug(text) {
    return (text || "citation").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60)
      || "citation";
  }

  function copyCitation(entry, status, label) {
    var text = entry.text || "";
    var html = entry.html || "";
    function done(ok) {
      status.className = "refsvc-cite__status" + (ok ? "" : " refsvc-cite__status--error");
      status.textContent = ok ? label + " citation copied to the clipboard."
                              : "Could not copy; select the " + label + " citation and copy it by hand.";
    }
    if (navigator.clipboard && window.ClipboardItem && html) {
      var item = new ClipboardItem({"text/plain": new Blob([text], {type: "text/plain"}),
                                    "text/html": new Blob([html], {type: "text/html"})});
      navigator.clipboard.write([item]).then(function () { done(true); }, fallback);
    } else if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
    function fallback() {
      // Older browsers and insecure origins: copy through a hidden textarea.
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      done(ok);
    }
  }

  function ordinal(edition) {
    var n = parseInt(edition, 10);
    if (String(n) !== String(edition).trim()) { return String(edition); }
    var suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th" : ({1: "st", 2: "nd", 3: "rd"}[n % 10] || "th");
    return n + suffix + " edition";
  }

  function downloadLink(text, type, filename, label) {
    var a = el("a", "refsvc-cite__download", label);
    a.href = URL.createObjectURL(new Blob([text], {type: type}));
    a.download = filename;
    return a;
  }

  function exportText(exports, name) {
    var value = exports && exports[name];
    if (value && typeof value === "object") { value = value.text || value.content; }
    return typeof value === "string" ? value : "";
  }

  function render(root, data, styles, level, title) {
    root.textContent = "";
    var box = el("section", "refsvc-cite");
    box.setAttribute("aria-labelledby", root.id + "-title");
    var heading = el("h" + level, "refsvc-cite__title", "Cite this page");
    heading.id = root.id + "-title";
    box.appendChild(heading);
    var status = el("p", "refsvc-cite__status");
    status.setAttribute("role", "status");
    var list = el("ul", "refsvc-cite__list");
    styles.forEach(function (name) {
      var citation = data.citations && data.citations[name];
      if (!citation || !citation.bibliography) { return; }
      var label = LABELS[name] || (citation.style && citation.style.title) || name;
      var edition = citation.style && citation.style.edition;
      var item = el("li", "refsvc-cite__entry");
      item.setAttribute("data-style", name);
      item.appendChild(el("span", "refsvc-cite__style", edition ? label + " \u00b7 " + ordinal(edition) : label));
      var text = el("div", "refsvc-cite__text");
      if (citation.bibliography.html) { appendSafeHTML(text, citation.bibliography.html); }
      else { text.textContent = citation.bibliography.text || ""; }
      item.appendChild(text);
      // Note styles (Chicago) cite in footnotes: the short note is what a second mention needs.
      var isNote = citation.style && citation.style["class"] === "note";
      var short = isNote ? citation.short_note : citation.in_text;
      if (short && short.text) {
        item.appendChild(el("p", "refsvc-cite__intext", (isNote ? "Short note: " : "In-text: ") + short.text));
      }
      var button = el("button", "refsvc-cite__copy", "Copy " + label);
      button.type = "button";
      button.addEventListener("click", function () { copyCitation(citation.bibliography, status, label); });
      item.appendChild(button);
      list.appendChild(item);
    });
    box.appendChild(list);
    var bibtex = exportText(data.exports, "bibtex");
    var ris = exportText(data.exports, "ris");
    if (bibtex || ris) {
      var exportsBox = el("p", "refsvc-cite__exports");
      exportsBox.appendChild(document.createTextNode("Reference managers: "));
      if (bibtex) { exportsBox.appendChild(downloadLink(bibtex, "application/x-bibtex", slug(title) + ".bib",
                                                         "Download BibTeX")); }
      if (ris) { exportsBox.appendChild(downloadLink(ris, "application/x-research-info-systems",
                                                      slug(title) + ".ris", "Download RIS")); }
      box.appendChild(exportsBox);
    }
    box.appendChild(status);
    root.appendChild(box);
  }

  var counter = 0;

  function mount(root) {
    if (root.getAttribute("data-refsvc-state")) { return; }
    root.setAttribute("data-refsvc-state", "loading");
    if (!root.id) { root.id = "refsvc-cite-" + (++counter); }
    var service = (root.getAttribute("data-refsvc-service") || DEFAULT_SERVICE).replace(/\/+$/, "");
    var styles = (root.getAttribute("data-refsvc-styles") || "apa,mla,chicago").split(",")
      .map(function (s) { return s.trim(); }).filter(Boolean);
    var level = Math.min(6, Math.max(2, parseInt(root.getAttribute("data-refsvc-heading") || "2", 10) || 2));
    var metadata;
    try {
      metadata = root.getAttribute("data-refsvc-metadata")
        ? JSON.parse(root.getAttribute("data-refsvc-metadata")) : pageMetadata();
    } catch (e) {
      metadata = pageMetadata();
    }
    var formats = ["text", "html", "bibtex", "ris"];
    var locale = root.getAttribute("data-refsvc-locale");
    var request;
    var doi = root.getAttribute("data-refsvc-doi");
    if (doi || root.getAttribute("data-refsvc-lookup") === "url") {
      // refsvc looks the work up itself: a DOI, or this page read from its public address.
      var query = new URLSearchParams();
      if (doi) { query.set("doi", doi); } else { query.set("url", root.getAttribute("data-refsvc-url") || metadata.url); }
      query.set("style", styles.join(","));
      formats.forEach(function (f) { query.append("formats", f); });
      if (locale) { query.set("locale", locale); }
      request = fetch(service + "/v1/citations?" + query.toString(), {headers: {"Accept": "application/json"}});
    } else {
      var body = {metadata: metadata, styles: styles, formats: formats};
      if (locale) { body.locale = locale; }
      request = fetch(service + "/v1/citations", {
        method: "POST",
        headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify(body)
      });
    }
    var waiting = el("p", "refsvc-cite__status", "Preparing citations\u2026");
    waiting.setAttribute("role", "status");
    root.textContent = "";
    root.appendChild(waiting);
    request.then(function (response) {
      if (!response.ok) { throw new Error("refsvc answered " + response.status); }
      return response.json();
    }).then(function (data) {
      render(root, data, styles, level, (data.csl && data.csl.title) || metadata.title);
      root.setAttribute("data-refsvc-state", "ready");
    }).catch(function () {
      waiting.className = "refsvc-cite__status refsvc-cite__status--error";
      waiting.textContent = "Citations are not available right now. Please try again later.";
      root.setAttribute("data-refsvc-state", "error");
    });
  }

  function mountAll() {
    if (!document.getElementById("refsvc-cite-css")) {
      var style = el("style");
      style.id = "refsvc-cite-css";
      style.textContent = CSS;  // our own constant rules, lowest precedence: the site's CSS wins
      document.head.insertBefore(style, document.head.firstChild);
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-refsvc-cite]"), mount);
  }

  window.refsvcCite = {mount: mount, mountAll: mountAll, pageMetadata: pageMetadata};
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", mountAll); }
  else { mountAll(); }
})();
