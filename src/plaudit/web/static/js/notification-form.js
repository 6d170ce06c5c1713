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
      panels[i].hidden = chosen !== null && panels[i].getAttribute("data-value").split(" ").indexOf(chosen.value) < 0;
    }
  }
  // A record trigger's filters start with the default filters of the chosen source (deals:
  // status is Approved), as a new rule in the rule builder does. They are replaced on a change
  // of source only while they are empty or still the previous source's defaults, so that
  // filters the admin wrote are never lost.
  var filterSet = form.querySelector("[data-source-defaults]");
  var sourceSelect = form.querySelector("#f-source");
  if (filterSet && sourceSelect) {
    var defaults = JSON.parse(filterSet.getAttribute("data-source-defaults") || "{}");
    var rows = Array.prototype.slice.call(filterSet.querySelectorAll(".filter-row"));
    var hint = form.querySelector("#f-filter-defaults");
    var shown = sourceSelect.value;
    var inputs = function (row) {
      return { field: row.querySelector('input[name$="-field"]'), op: row.querySelector("select"), value: row.querySelector('input[name$="-value"]') };
    };
    var written = function () {
      return rows.map(inputs).filter(function (box) { return box.field.value.trim() || box.value.value.trim(); })
        .map(function (box) { return { field: box.field.value.trim(), op: box.op.value, value: box.value.value.trim() }; });
    };
    var same = function (a, b) {
      return a.length === b.length && a.every(function (row, i) {
        return row.field === b[i].field && row.op === b[i].op && row.value === b[i].value;
      });
    };
    var fill = function (list) {
      rows.forEach(function (row, i) {
        var box = inputs(row), flt = list[i];
        box.field.value = flt ? flt.field : "";
        box.op.value = flt ? flt.op : "eq";
        box.value.value = flt ? flt.value : "";
      });
    };
    var describe = function (list) {
      var labels = {};
      Array.prototype.forEach.call(rows[0] ? inputs(rows[0]).op.options : [], function (o) { labels[o.value] = o.textContent; });
      return list.map(function (flt) { return flt.field + " " + (labels[flt.op] || flt.op) + " " + flt.value; }).join(", ");
    };
    var showHint = function () {
      var list = defaults[sourceSelect.value] || [];
      var option = sourceSelect.options[sourceSelect.selectedIndex];
      hint.hidden = list.length === 0;
      hint.textContent = list.length ? "Records of " + option.textContent + " start with its default filters (" +
        describe(list) + "): change them if this notification needs others." : "";
    };
    sourceSelect.addEventListener("change", function () {
      var current = written();
      if (current.length === 0 || same(current, defaults[shown] || [])) {
        fill(defaults[sourceSelect.value] || []);
      }
      shown = sourceSelect.value;
      showHint();
    });
    showHint();
  }

  ["trigger", "action"].forEach(function (group) {
    var radios = form.querySelectorAll('input[data-choice="' + group + '"]');
    for (var i = 0; i < radios.length; i += 1) {
      radios[i].addEventListener("change", function () { sync(group); });
    }
    sync(group);
  });
})();
