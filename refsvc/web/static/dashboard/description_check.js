/* The description check's forms (web/description_check.html): post them as JSON with the editor token. */
import {api, isRefused} from "./api.js";

for (const form of document.querySelectorAll(".description-check form[data-action]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = form.closest(".description-check").querySelector(".description-check__status");
    const body = {};
    const text = form.querySelector("textarea[name=description]");
    if (text) { body.description = text.value; }
    form.querySelector("button").disabled = true;
    status.textContent = "Checking the page and taking a new baseline…";
    try {
      const result = await api(form.getAttribute("action"), {method: "POST", body, editor: true});
      status.textContent = result.baseline_requested
        ? "Confirmed; the page could not be read now, so the baseline is taken at its next check."
        : `Confirmed: the description is now ${result.verdict}.`;
      window.setTimeout(() => window.location.reload(), 800);
    } catch (error) {
      status.textContent = isRefused(error) ? "Sign in as an editor to confirm." : error.message;
      form.querySelector("button").disabled = false;
    }
  });
}
