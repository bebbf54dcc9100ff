// The practice lab's reply form is sent with htmx; a reply refused (400) comes back as the
// conversation with the form's errors, so swap it in like a success.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.elt;
    if (event.detail.xhr.status === 400 && elt && elt.closest("[data-practice-reply]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
