// Swagger UI heads its API sections with h3 (and their parts with h4 and lower) straight under
// the page's h1: a screen reader's outline skips a level. Announce each one level up, as the
// page is drawn and as sections open.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root) return;
  function relevel() {
    var headings = root.querySelectorAll("h3:not([aria-level]), h4:not([aria-level]), h5:not([aria-level]), h6:not([aria-level])");
    for (var i = 0; i < headings.length; i++) {
      headings[i].setAttribute("aria-level", String(Number(headings[i].tagName.charAt(1)) - 1));
    }
  }
  new MutationObserver(relevel).observe(root, { childList: true, subtree: true });
  relevel();
})();
