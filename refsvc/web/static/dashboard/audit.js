/* The page audit panel: POST /v1/audits with a page URL, its links and their flags as a table. */
import {api} from "./api.js";
import {ICONS, $, el, words} from "./format.js";

const FLAG_WORDS = {unregistered: "not registered", broken: "broken", moved: "moved",
                    description_differs: "description differs"};

function row(link) {
  const tr = el("tr");
  const first = el("td", "audit__link");
  first.append(el("strong", "", link.text || "(no text)"), el("br"), document.createTextNode(link.url));
  const entry = el("td", "", link.resource ? `${link.resource.name} (${link.match})` : "\u2013");
  const health = el("td");
  if (link.health) {
    health.appendChild(el("span", `badge badge--${link.health}`, `${ICONS[link.health] || "?"} ${link.health}`));
  }
  const flags = el("td", "audit__flags", (link.flags || []).map((f) => FLAG_WORDS[f] || words(f)).join(", ") || "none");
  if ((link.flags || []).length) { flags.classList.add("audit__flags--some"); }
  if (link.moved_to) { flags.append(` \u2192 ${link.moved_to}`); }
  tr.append(first, entry, health, flags);
  return tr;
}

function render(result) {
  const s = result.summary || {};
  $("audit-summary").textContent = `${s.outbound_links} outbound link${s.outbound_links === 1 ? "" : "s"}: ` +
    `${s.unregistered} not registered, ${s.broken} broken, ${s.moved} moved, ` +
    `${s.description_differs} with a description that differs.`;
  const tbody = $("audit-results").querySelector("tbody");
  tbody.replaceChildren(...(result.links || []).map(row));
  $("audit-results").hidden = !(result.links || []).length;
}

/* Wire the form; ``editorAction`` runs a call once a token is there (asking for it if not). */
export function setUpAudit(editorAction) {
  $("audit-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const url = $("audit-url").value.trim();
    editorAction(async () => {
      $("audit-summary").textContent = "Fetching and auditing the page\u2026";
      try {
        render(await api("/v1/audits", {method: "POST", editor: true, body: {url}}));
      } catch (error) {
        if (error.status === 401 || error.status === 403) { throw error; }
        $("audit-summary").textContent = `The audit did not work: ${error.message}`;
        $("audit-results").hidden = true;
      }
    });
  });
}
