// The notification form: show only the trigger and action field sets that match the chosen
// radio button. Without this script every set is shown and the server reads the chosen one.
(function () {
  "use strict";
  var form = document.querySelector(".notification-form");
  if (!form) {
    return;
  }
  function sync(group) {
    var chosen = form.querySelector('input[data-choice="' + group + '"]:checked');
    var panels = form.querySelectorAll('[data-panel="' + group + '"]');
    for (var i = 0; i < panels.length; i += 1) {
      panels[i].hidden = chosen !== null && panels[i].getAttribute("data-value") !== chosen.value;
    }
  }
  ["trigger", "action"].forEach(function (group) {
    var radios = form.querySelectorAll('input[data-choice="' + group + '"]');
    for (var i = 0; i < radios.length; i += 1) {
      radios[i].addEventListener("change", function () { sync(group); });
    }
    sync(group);
  });
})();
