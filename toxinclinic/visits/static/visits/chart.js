// Charting on the injection map. No clinical rule lives here: on every change the draft is posted to the
// server's check endpoint, which runs the same engine function as signing (dosing.check_session) and
// returns the totals and findings as HTML; this script only shows it.
(function () {
  "use strict";
  const form = document.getElementById("chart-form");
  if (!form) return;
  const live = document.getElementById("live-check");
  const editor = document.getElementById("site-editor");
  const editorLabel = document.getElementById("site-editor-label");
  const editorInput = document.getElementById("site-editor-units");
  const editorRemove = document.getElementById("site-editor-remove");
  const editorClose = document.getElementById("site-editor-close");
  let current = null; // site id in the editor
  let timer = null;
  let inflight = null;

  const input = (site) => document.getElementById("units-" + site);
  const marker = (site) => form.querySelector('a.site[data-site="' + CSS.escape(site) + '"]');

  function showUnits(site) {
    const field = input(site);
    const a = marker(site);
    if (!field || !a) return;
    const text = a.querySelector("text");
    if (text) text.textContent = field.value === "" ? "?" : String(Number(field.value));
    a.setAttribute("aria-label", field.dataset.label + ", " + (field.value || "no") + " U");
  }

  function flag(muscles) {
    form.querySelectorAll("a.site").forEach((a) => {
      const row = input(a.dataset.site);
      const muscle = row ? row.closest(".site-input").querySelector('input[name="site"]').value.split("|")[1] : "";
      const on = muscles.includes(muscle);
      a.classList.toggle("flagged", on);
      const c = a.querySelector("circle");
      c.setAttribute("stroke", on ? "#b3261e" : "#ffffff");
      c.setAttribute("stroke-width", on ? "0.9" : "0.4");
    });
  }

  async function check() {
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const data = new FormData(form);
    data.delete("action");
    try {
      const resp = await fetch(form.dataset.checkUrl, {
        method: "POST",
        body: data,
        signal: inflight.signal,
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      if (!resp.ok) return;
      live.innerHTML = await resp.text();
      const flagged = live.querySelector("[data-flagged]");
      flag(flagged ? flagged.dataset.flagged.split(" ").filter(Boolean) : []);
    } catch (e) {
      if (e.name !== "AbortError") live.insertAdjacentHTML("afterbegin", '<p class="error-box">Could not reach the server to check; use “Check without saving”.</p>');
    }
  }

  function changed(site) {
    const field = input(site);
    if (field) field.closest(".site-input").classList.add("changed");
    showUnits(site);
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  }

  form.addEventListener("input", (ev) => {
    const t = ev.target;
    if (t.name && t.name.startsWith("units:")) changed(t.dataset.site);
  });

  function open(site) {
    const field = input(site);
    if (!field) return;
    if (current) marker(current)?.classList.remove("selected");
    current = site;
    marker(site)?.classList.add("selected");
    editorLabel.textContent = field.dataset.label + " — units";
    editorInput.value = field.value;
    const removable = field.closest(".site-input").querySelector("button.remove");
    editorRemove.hidden = !removable;
    editor.hidden = false;
    editorInput.focus();
    editorInput.select();
  }

  function close() {
    if (!current) return;
    const a = marker(current);
    a?.classList.remove("selected");
    editor.hidden = true;
    current = null;
    a?.focus();
  }

  form.querySelectorAll("a.site").forEach((a) => {
    a.addEventListener("click", (ev) => {
      ev.preventDefault();
      open(a.dataset.site);
    });
  });
  editorInput.addEventListener("input", () => {
    if (!current) return;
    input(current).value = editorInput.value;
    changed(current);
  });
  editorInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); close(); }
    if (ev.key === "Escape") { ev.preventDefault(); close(); }
  });
  editorClose.addEventListener("click", close);
  editorRemove.addEventListener("click", () => {
    const b = current && input(current).closest(".site-input").querySelector("button.remove");
    if (b) b.click();
  });
})();
