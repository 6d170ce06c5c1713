// The Embed page: "Copy" buttons put the snippet or the link on the clipboard and say so.
(function () {
  "use strict";
  function say(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) { status.textContent = text; }
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var id = button.getAttribute("data-copy");
      var field = document.getElementById(id);
      if (!field) { return; }
      field.select();
      var done = function () { say(id, "Copied"); };
      var failed = function () { say(id, "Selected: press Ctrl+C (⌘C) to copy"); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, failed);
      } else {
        try { if (document.execCommand("copy")) { done(); } else { failed(); } } catch (e) { failed(); }
      }
    });
  });
})();
