/* The team form's attribute rows: "Add attribute" adds an empty row and focuses its name;
   "Remove" takes a row away and focuses its neighbour. Each change is announced. Rows are
   renumbered so the form posts attr-0…attr-n. Without this script, clearing a row removes it. */
(function () {
  "use strict";

  var box = document.querySelector("[data-attributes]");
  var template = document.getElementById("attribute-template");
  var add = document.querySelector("[data-add-attribute]");
  var live = document.getElementById("attribute-announcer");
  if (!box || !template || !add) { return; }

  function rows() { return Array.prototype.slice.call(box.querySelectorAll("[data-attribute]")); }

  function announce(message) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  function renumber() {
    rows().forEach(function (row, i) {
      row.setAttribute("aria-label", "Attribute " + (i + 1));
      row.querySelectorAll("[id], [name], [for]").forEach(function (node) {
        ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
          var value = node.getAttribute(attr);
          if (value && /(^|\s)(f-)?attr-[^-]+-/.test(value)) { node.setAttribute(attr, value.replace(/(^|\s)(f-)?attr-[^-]+-/g, "$1$2attr-" + i + "-")); }
        });
      });
      var hidden = row.querySelector("[data-remove-attribute] .visually-hidden");
      if (hidden) { hidden.textContent = " attribute " + (i + 1); }
    });
  }

  box.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-remove-attribute]");
    if (!remove) { return; }
    var row = remove.closest("[data-attribute]");
    var index = rows().indexOf(row);
    var name = row.querySelector("[data-part='key']").value;
    row.parentNode.removeChild(row);
    renumber();
    var left = rows();
    var target = left[index] || left[index - 1];
    (target ? target.querySelector("[data-part='key']") : add).focus();
    announce(name ? "Attribute " + name + " removed" : "Attribute " + (index + 1) + " removed");
  });

  add.addEventListener("click", function () {
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML;
    var row = holder.querySelector("[data-attribute]");
    box.appendChild(row);
    renumber();
    row.querySelector("[data-remove-attribute]").hidden = false;
    row.querySelector("[data-part='key']").focus();
    announce("Attribute " + rows().length + " added");
  });

  rows().forEach(function (row) { row.querySelector("[data-remove-attribute]").hidden = false; });
  add.hidden = false;
})();
