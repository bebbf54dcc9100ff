/* Forms that tell the truth; loaded on every page (base.html). Progressive enhancement only:
 * without scripts every form still works and the server still checks everything.
 *
 * 1. Error summary (error_summary.html, the GOV.UK pattern): when a form comes back with errors,
 *    focus moves to the summary at its top; each link in it focuses its field and brings the
 *    field's label (or its group's legend) into view.
 * 2. Character counter: a textarea with a maxlength shows how many characters are left, or how
 *    many too many, instead of silently cutting what is typed or pasted; the server refuses an
 *    answer that is too long with a field error. Screen readers hear the count (aria-live
 *    polite) once typing pauses.
 * 3. Autosave (htmx): a form with hx-post and data-swap-errors shows its refusal (status 400)
 *    in its status line; [data-autosave-on] notes show and [data-autosave-off] notes hide once
 *    htmx is running, so the page never claims a save that will not happen. While a save is
 *    on its way or has failed, leaving the page asks first.
 */
(function () {
  "use strict";

  // --- 1. Error summary -------------------------------------------------------------------
  function fieldFor(link) {
    var id = decodeURIComponent((link.getAttribute("href") || "").slice(1));
    return id ? document.getElementById(id) : null;
  }

  function labelFor(field) {
    var fieldset = field.closest("fieldset");
    if (fieldset && (field.type === "radio" || field.type === "checkbox")) {
      var legend = fieldset.querySelector("legend");
      if (legend) { return legend; }
    }
    var label = field.id ? document.querySelector('label[for="' + CSS.escape(field.id) + '"]') : null;
    return label || field;
  }

  function initErrorSummaries() {
    var summaries = document.querySelectorAll("[data-error-summary]");
    summaries.forEach(function (summary) {
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) { return; }
        var field = fieldFor(link);
        if (!field) { return; }
        event.preventDefault();
        var details = field.closest("details");
        if (details) { details.open = true; }
        labelFor(field).scrollIntoView({ block: "start" });
        field.focus({ preventScroll: true });
      });
    });
    if (summaries.length) { summaries[0].focus(); }
  }

  // --- 2. Character counter ---------------------------------------------------------------
  function plural(n, one, many) { return n === 1 ? one : many; }

  function countText(max, length) {
    var left = max - length;
    if (left >= 0) { return "You have " + left + " " + plural(left, "character", "characters") + " left (of " + max + ")."; }
    return "You have " + (-left) + " " + plural(-left, "character", "characters") + " too many (at most " + max + ").";
  }

  function initCounter(area) {
    var max = parseInt(area.getAttribute("maxlength"), 10);
    if (!max || area.dataset.counted) { return; }
    area.dataset.counted = "1";
    area.dataset.maxlength = String(max);
    area.removeAttribute("maxlength");
    var id = (area.id || area.name) + "_count";
    var shown = document.createElement("span");
    shown.className = "char-count";
    shown.id = id;
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", shown);
    shown.insertAdjacentElement("afterend", spoken);
    var described = (area.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(id);
    area.setAttribute("aria-describedby", described.join(" "));
    var timer = null;
    function update(announce) {
      var text = countText(max, area.value.length);
      shown.textContent = text;
      shown.classList.toggle("over", area.value.length > max);
      if (announce) {
        clearTimeout(timer);
        timer = setTimeout(function () { spoken.textContent = text; }, 1000);
      }
    }
    area.addEventListener("input", function () { update(true); });
    update(false);
  }

  function initCounters(root) { root.querySelectorAll("textarea[maxlength]").forEach(initCounter); }

  // --- 3. Autosave ------------------------------------------------------------------------
  var pending = 0;
  var failed = false;

  function initAutosave() {
    if (!window.htmx) { return; }
    document.querySelectorAll("[data-autosave-on]").forEach(function (el) { el.hidden = false; });
    document.querySelectorAll("[data-autosave-off]").forEach(function (el) { el.hidden = true; });
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      if (event.target.closest("[data-swap-errors]")) { pending += 1; }
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (!event.target.closest("[data-swap-errors]")) { return; }
      pending = Math.max(0, pending - 1);
      var status = event.detail.xhr ? event.detail.xhr.status : 0;
      failed = !(status >= 200 && status < 300);
    });
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var xhr = event.detail.xhr;
      if (xhr.status === 400 && event.detail.elt && event.detail.elt.closest("[data-swap-errors]")) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
    var submitting = false;
    document.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (!submitting && (pending > 0 || failed)) { event.preventDefault(); }
    });
  }

  function init() {
    initErrorSummaries();
    initCounters(document);
    initAutosave();
    document.body.addEventListener("htmx:load", function (event) { initCounters(event.target); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
