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
 * Without data-refsvc-metadata or a DOI the widget sends the page's <head> (and its JSON-LD) for
 * refsvc to read; a service that does not take it yet gets the metadata read here instead.
 * A visitor may pick another style (APA, MLA and Chicago first, then a search over every bundled
 * style); the choice is remembered on the device (localStorage). When refsvc cannot be reached or
 * does not allow this site's origin, the widget shows a link to the citation page on refsvc and
 * logs one console line naming the fix (REFSVC_CORS_ORIGINS).
 *
 * The fragment of GET/POST /v1/citations/block (a server-side include) needs only this script for
 * its copy buttons ([data-refsvc-copy]).
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
    ".refsvc-cite__status--error{color:#a3261c}",
    ".refsvc-cite__picker{margin:.75rem 0 0;padding-top:.75rem;border-top:1px solid #e3e6ea}",
    ".refsvc-cite__picker input{font:inherit;padding:.3rem .5rem;border:1px solid #8c959f;border-radius:4px;",
    "min-width:14rem;margin:0 .5rem .5rem 0}",
    ".refsvc-cite__choices{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.4rem}",
    ".refsvc-cite__choices button{margin:0}"
  ].join("");
  var STYLE_KEY = "refsvc.citeStyle";

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
      status.textContent = ok ? label + " copied to the clipboard."
                              : "Could not copy; select the " + label + " and copy it by hand.";
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

  function remembered() {
    try { return localStorage.getItem(STYLE_KEY) || ""; } catch (e) { return ""; }
  }

  function remember(styleId) {
    try { localStorage.setItem(STYLE_KEY, styleId); } catch (e) { /* private mode: not kept */ }
  }

  /* One style's entry: its name, the reference, the in-text citation or note, and copy buttons. */
  function entryItem(name, citation, status, labelOverride) {
    var label = labelOverride || LABELS[name] || (citation.style && citation.style.title) || name;
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
    var short = isNote ? (citation.note || citation.short_note) : citation.in_text;
    var shortLabel = isNote ? "note" : "in-text citation";
    if (short && short.text) {
      item.appendChild(el("p", "refsvc-cite__intext", (isNote ? "Note: " : "In-text: ") + short.text));
    }
    var button = el("button", "refsvc-cite__copy", "Copy " + label + " reference");
    button.type = "button";
    button.addEventListener("click", function () { copyCitation(citation.bibliography, status, label + " reference"); });
    item.appendChild(button);
    if (short && short.text) {
      var copyShort = el("button", "refsvc-cite__copy refsvc-cite__copy-short", "Copy " + label + " " + shortLabel);
      copyShort.type = "button";
      copyShort.addEventListener("click", function () { copyCitation(short, status, label + " " + shortLabel); });
      item.appendChild(copyShort);
    }
    return item;
  }

  function render(root, data, styles, level, title, context) {
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
      list.appendChild(entryItem(name, citation, status));
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
    box.appendChild(picker(root, list, status, context));
    box.appendChild(status);
    root.appendChild(box);
  }

  /* "Another style": suggestions first, then a search over every bundled style (GET /v1/styles?q=). */
  function picker(root, list, status, context) {
    var box = el("div", "refsvc-cite__picker");
    var id = root.id + "-style-search";
    var label = el("label", "", "Another style ");
    label.setAttribute("for", id);
    var input = el("input");
    input.type = "search";
    input.id = id;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("placeholder", "e.g. Harvard, Vancouver, IEEE");
    var choices = el("ul", "refsvc-cite__choices");
    choices.setAttribute("aria-label", "Styles");
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(choices);

    function show(styles) {
      choices.textContent = "";
      styles.slice(0, 12).forEach(function (style) {
        var li = el("li");
        var button = el("button", "refsvc-cite__choice", style.title);
        button.type = "button";
        button.setAttribute("data-style-id", style.id);
        button.addEventListener("click", function () { choose(style); });
        li.appendChild(button);
        choices.appendChild(li);
      });
    }

    function choose(style) {
      status.className = "refsvc-cite__status";
      status.textContent = "Preparing " + style.title + "\u2026";
      context.cite([style.id]).then(function (data) {
        var citation = data.citations && data.citations[style.id];
        if (!citation || !citation.bibliography) { throw new Error("no citation"); }
        var old = list.querySelector("[data-refsvc-chosen]");
        if (old) { list.removeChild(old); }
        var item = entryItem(style.id, citation, status, style.title);
        item.setAttribute("data-refsvc-chosen", "true");
        list.appendChild(item);
        remember(style.id);
        status.textContent = style.title + " added.";
      }).catch(function () {
        status.className = "refsvc-cite__status refsvc-cite__status--error";
        status.textContent = "That style could not be prepared; try another.";
      });
    }

    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      timer = setTimeout(function () {
        if (!q) { show(context.suggestions); return; }
        fetch(context.service + "/v1/styles?q=" + encodeURIComponent(q.slice(0, 100)),
              {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {matches: []}; })
          .then(function (body) { if (input.value.trim() === q) { show(body.matches || []); } })
          .catch(function () { show([]); });
      }, 200);
    });
    fetch(context.service + "/v1/styles", {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (body) {
        context.suggestions = body.suggestions || [];
        if (!input.value.trim()) { show(context.suggestions); }
        var kept = context.chosen;
        if (kept && !list.querySelector("[data-refsvc-chosen]")) {
          var known = context.suggestions.filter(function (s) { return s.id === kept; })[0];
          choose(known || {id: kept, title: kept});
        }
      }).catch(function () { /* suggestions are a convenience */ });
    return box;
  }

  var counter = 0;

  /* What refsvc reads the page from: its <head> without scripts or styles, and its JSON-LD. */
  function pageSource() {
    var head = document.head.cloneNode(true);
    Array.prototype.forEach.call(head.querySelectorAll("script:not([type='application/ld+json']),style"),
                                 function (node) { node.parentNode.removeChild(node); });
    var html = head.outerHTML;
    Array.prototype.forEach.call(document.body.querySelectorAll("script[type='application/ld+json']"),
                                 function (node) { html += node.outerHTML; });
    return html.length <= 200000 ? {url: location.href.split("#")[0], html: html} : null;
  }

  function citationPage(service, metadata, doi, locale, styles) {
    var query = new URLSearchParams();
    if (doi) { query.set("doi", doi); } else { query.set("url", metadata.url || location.href.split("#")[0]); }
    if (styles) { query.set("style", styles); }  // the styles the site chose, else the page's own
    if (locale) { query.set("locale", locale); }  // the page in the site's own punctuation
    return service + "/cite?" + query.toString();
  }

  var warned = false;

  function unavailable(root, waiting, service, metadata, doi, locale, styles) {
    waiting.className = "refsvc-cite__status refsvc-cite__status--error";
    waiting.textContent = "Citations could not be loaded here. ";
    var link = el("a", "refsvc-cite__fallback", "Open the citation page");
    link.href = citationPage(service, metadata, doi, locale, styles);
    link.rel = "noopener";
    waiting.appendChild(link);
    root.setAttribute("data-refsvc-state", "error");
    if (!warned && window.console) {
      warned = true;  // one line, however many widgets the page has
      console.warn("refsvc-cite: " + service + " did not answer this page (" + location.origin + "); if it " +
                   "is running, add " + location.origin + " to REFSVC_CORS_ORIGINS on the refsvc server.");
    }
  }

  function post(service, body) {
    return fetch(service + "/v1/citations", {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(body)
    });
  }

  function mount(root) {
    if (root.getAttribute("data-refsvc-state")) { return; }
    root.setAttribute("data-refsvc-state", "loading");
    if (!root.id) { root.id = "refsvc-cite-" + (++counter); }
    var service = (root.getAttribute("data-refsvc-service") || DEFAULT_SERVICE).replace(/\/+$/, "");
    var styles = (root.getAttribute("data-refsvc-styles") || "apa,mla,chicago").split(",")
      .map(function (s) { return s.trim(); }).filter(Boolean);
    var level = Math.min(6, Math.max(2, parseInt(root.getAttribute("data-refsvc-heading") || "2", 10) || 2));
    var given = root.getAttribute("data-refsvc-metadata");
    var metadata;
    try {
      metadata = given ? JSON.parse(given) : pageMetadata();
    } catch (e) {
      given = null;
      metadata = pageMetadata();
    }
    var formats = ["text", "html", "bibtex", "ris"];
    var locale = root.getAttribute("data-refsvc-locale");
    var doi = root.getAttribute("data-refsvc-doi");
    var byUrl = root.getAttribute("data-refsvc-lookup") === "url";
    var page = (!given && !doi && !byUrl) ? pageSource() : null;

    /* Citations of this item in ``wanted`` styles (the picker asks again with one style). */
    function cite(wanted, withExports) {
      var wantedFormats = withExports ? formats : ["text", "html"];
      var request;
      if (doi || byUrl) {
        // refsvc looks the work up itself: a DOI, or this page read from its public address.
        var query = new URLSearchParams();
        if (doi) { query.set("doi", doi); } else { query.set("url", root.getAttribute("data-refsvc-url") || metadata.url); }
        query.set("style", wanted.join(","));
        wantedFormats.forEach(function (f) { query.append("formats", f); });
        if (locale) { query.set("locale", locale); }
        request = fetch(service + "/v1/citations?" + query.toString(), {headers: {"Accept": "application/json"}});
      } else {
        var body = {styles: wanted, formats: wantedFormats};
        if (locale) { body.locale = locale; }
        if (page) {
          // refsvc reads the page's own tags; one that does not take "page" yet answers 422.
          var first = {styles: body.styles, formats: body.formats, page: page};
          if (locale) { first.locale = locale; }
          request = post(service, first).then(function (response) {
            if (response.status !== 422) { return response; }
            body.metadata = metadata;
            return post(service, body);
          });
        } else {
          body.metadata = metadata;
          request = post(service, body);
        }
      }
      return request.then(function (response) {
        if (!response.ok) { throw new Error("refsvc answered " + response.status); }
        return response.json();
      });
    }

    var context = {service: service, suggestions: [], chosen: remembered(),
                   cite: function (wanted) { return cite(wanted, false); }};
    var waiting = el("p", "refsvc-cite__status", "Preparing citations\u2026");
    waiting.setAttribute("role", "status");
    root.textContent = "";
    root.appendChild(waiting);
    cite(styles, true).then(function (data) {
      render(root, data, styles, level, (data.csl && data.csl.title) || metadata.title, context);
      root.setAttribute("data-refsvc-state", "ready");
    }).catch(function () {
      unavailable(root, waiting, service, metadata, doi, locale,
                  root.getAttribute("data-refsvc-styles") ? styles.join(",") : null);
    });
  }

  /* The server-side block's copy buttons: shown, and wired, once this script runs. */
  function wireBlock(block) {
    if (block.getAttribute("data-refsvc-wired")) { return; }
    block.setAttribute("data-refsvc-wired", "true");
    var status = block.querySelector(".refsvc-cite__status");
    Array.prototype.forEach.call(block.querySelectorAll("button[data-refsvc-copy]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var entry = button.closest(".refsvc-cite__entry");
        var kind = button.getAttribute("data-refsvc-copy");
        var source = entry.querySelector("[data-refsvc-copy-source='" + kind + "']");
        if (!source) { return; }
        var text = kind === "reference" ? (source.getAttribute("data-text") || source.textContent) : source.textContent;
        var html = kind === "reference" ? source.innerHTML : "";
        copyCitation({text: text.trim(), html: html}, status, button.textContent.replace(/^Copy /, ""));
      });
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
    Array.prototype.forEach.call(document.querySelectorAll("[data-refsvc-cite-block]"), wireBlock);
  }

  window.refsvcCite = {mount: mount, mountAll: mountAll, pageMetadata: pageMetadata, wireBlock: wireBlock};
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", mountAll); }
  else { mountAll(); }
})();
