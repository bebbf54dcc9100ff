/* Contact drafts: nothing typed is lost.
 * Every change is kept in this browser (localStorage) at once, and htmx posts it to the
 * server as a draft a moment later (see contact_form.html). When the page opens again, the
 * newer of the two is restored. A session time-out or a lost connection only stops the
 * server copy: the local copy stays, and the page says how to get it saved. Logging out
 * empties this browser's copy (the logout response carries Clear-Site-Data: "storage");
 * the encrypted server copy waits for the supporter's next session. "Clear the draft" empties
 * the form and removes both copies. */
(function () {
  "use strict";
  var form = document.getElementById("contact-form");
  var saved = document.querySelector("[data-saved-draft-key]");
  if (saved && new URLSearchParams(window.location.search).get("saved")) {
    try { localStorage.removeItem(saved.getAttribute("data-saved-draft-key")); } catch (e) { /* storage unavailable */ }
  }
  if (!form) { return; }
  var key = form.getAttribute("data-draft-key");
  var serverSaved = Date.parse(form.getAttribute("data-draft-saved") || "") || 0;
  var status = document.getElementById("draft-status");
  var MAX_AGE = 14 * 24 * 3600 * 1000;

  function collect() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit" || el.type === "button") { return; }
      if (el.type === "checkbox") {
        data[el.name] = data[el.name] || [];
        if (el.checked) { data[el.name].push(el.value); }
      } else if (el.type === "radio") {
        if (el.checked) { data[el.name] = el.value; }
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function apply(data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !Object.prototype.hasOwnProperty.call(data, el.name)) { return; }
      var value = data[el.name];
      if (el.type === "checkbox") { el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1; }
      else if (el.type === "radio") { el.checked = el.value === value; }
      else if (el.type !== "hidden") { el.value = value; }
    });
  }

  function say(text) { if (status) { status.textContent = text; } }

  function saveLocal() {
    try { localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), values: collect() })); } catch (e) { /* full or private mode */ }
  }

  try {
    var stored = JSON.parse(localStorage.getItem(key) || "null");
    if (stored && Date.now() - stored.savedAt > MAX_AGE) { localStorage.removeItem(key); stored = null; }
    var showingErrors = form.querySelector(".errorlist") !== null;
    if (stored && stored.savedAt > serverSaved && !showingErrors) {
      apply(stored.values);
      say("Draft restored from this device (" + new Date(stored.savedAt).toLocaleString() + ").");
      // Send it to the server too, now that we are (again) logged in (once htmx is listening).
      window.addEventListener("load", function () {
        if (window.htmx) { window.htmx.trigger(form, "change"); }
      });
    }
  } catch (e) { /* ignore a damaged local draft */ }

  var submitting = false;
  form.addEventListener("input", saveLocal);
  form.addEventListener("change", saveLocal);
  form.addEventListener("submit", function () { submitting = true; saveLocal(); });

  // "Clear the draft" empties the form as well as both copies of the draft (the server's by htmx).
  function empty() {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "hidden" || el.type === "submit" || el.type === "button") { return; }
      if (el.type === "checkbox" || el.type === "radio") { el.checked = false; }
      else if (el.tagName === "SELECT") { el.selectedIndex = -1; }
      else { el.value = ""; }
      el.dispatchEvent(new Event("input", { bubbles: false }));
    });
  }

  var discard = document.getElementById("discard-draft");
  if (discard) {
    discard.addEventListener("click", function () {
      empty();
      try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
    });
  }

  function loginUrl() { return "/accounts/login/?next=" + encodeURIComponent(window.location.pathname); }

  function isDraftRequest(event) {
    var config = event.detail && event.detail.requestConfig;
    return Boolean(config && String(config.path || "").indexOf("/contacts/draft/") !== -1);
  }

  function sessionEnded() {
    if (!status) { return; }
    status.innerHTML = "";
    status.appendChild(document.createTextNode("Your session has ended. Your draft is kept on this device: "));
    var link = document.createElement("a");
    link.href = loginUrl();
    link.textContent = "log in again";
    status.appendChild(link);
    status.appendChild(document.createTextNode(" and it will be restored here."));
  }

  function wentToLogin(xhr) { return (xhr.responseURL || "").indexOf("/accounts/login/") !== -1; }

  // Once the contact itself is being saved, a late autosave must not bring back a draft.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (submitting && isDraftRequest(event)) { event.preventDefault(); }
  });

  // Never swap a login page or an error into the status line.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (!isDraftRequest(event)) { return; }
    var xhr = event.detail.xhr;
    if (wentToLogin(xhr) || xhr.status >= 400) { event.detail.shouldSwap = false; }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (!isDraftRequest(event)) { return; }
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status === 0) {
      say("No connection: your draft is kept on this device and will be sent when you are back online.");
    } else if (wentToLogin(xhr) || xhr.status === 403) {
      sessionEnded();
    } else if (xhr.status >= 400) {
      say("The server could not keep the draft; it is kept on this device.");
    }
  });
  window.addEventListener("online", function () { if (window.htmx) { window.htmx.trigger(form, "change"); } });
})();
