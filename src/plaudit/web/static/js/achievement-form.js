/* The achievement form: live preview of the tile (complete and incomplete) with the badge
   and background image chosen on the create form, organisation colour defaults, a key suggested from the name, and the effective-date fields that fit
   the chosen mode. Without this script the form still works; it only stops following. */
(function () {
  "use strict";

  var form = document.getElementById("achievement-form");
  if (!form) { return; }
  var byId = function (id) { return document.getElementById(id); };
  var tiles = [byId("preview-complete"), byId("preview-incomplete")].filter(Boolean);
  var incomplete = byId("preview-incomplete");

  function setText(selector, text) {
    tiles.forEach(function (tile) {
      var node = tile.querySelector(selector);
      if (node) { node.textContent = text; }
    });
  }

  function colour(inputId, defaultId) {
    var input = byId(inputId);
    var useDefault = byId(defaultId);
    return useDefault && useDefault.checked ? input.getAttribute("data-default") : input.value;
  }

  // As the pages' `number` filter writes numbers: 1,234 and 1,234.50.
  function formatNumber(value) {
    var number = Number(value);
    var decimals = Number.isInteger(number) ? 0 : 2;
    return number.toLocaleString("en-US", {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals
    });
  }

  function firstTarget(groups) {
    for (var g = 0; g < groups.length; g++) {
      for (var r = 0; r < groups[g].length; r++) {
        var value = groups[g][r].value;
        if (typeof value === "number" && isFinite(value)) { return value; }
      }
    }
    return null;
  }

  function updatePreview() {
    setText(".tile-name", byId("f-name").value.trim() || "Achievement name");
    setText(".tile-cta", byId("f-description").value.trim());
    var points = parseInt(byId("f-points").value, 10);
    setText(".tile-points", formatNumber(isNaN(points) ? 0 : points) + " points");
    // The icon is drawn by icon-picker.js, which knows the icon set.
    var background = colour("f-background_color", "f-background_default");
    var text = colour("f-text_color", "f-text_default");
    tiles.forEach(function (tile) {
      tile.style.setProperty("--tile-bg", background);
      tile.style.setProperty("--tile-fg", text);
    });
  }

  function updateProgress(groups) {
    if (!incomplete) { return; }
    var state = incomplete.querySelector(".tile-state");
    var target = firstTarget(groups || []);
    state.textContent = target === null ? "Not yet complete" : "0 of " + formatNumber(target);
  }

  [["f-background_color", "f-background_default"], ["f-text_color", "f-text_default"]].forEach(
    function (pair) {
      var input = byId(pair[0]);
      var useDefault = byId(pair[1]);
      if (!input || !useDefault) { return; }
      input.addEventListener("input", function () { useDefault.checked = false; });
      useDefault.addEventListener("change", function () {
        if (useDefault.checked) { input.value = input.getAttribute("data-default"); }
      });
    }
  );

  // Suggest a key from the name until someone types a key of their own.
  var key = byId("f-key");
  var name = byId("f-name");
  var keyTyped = key.value !== "";
  function slug(text) {
    return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 100);
  }
  key.addEventListener("input", function () { keyTyped = key.value !== ""; });
  name.addEventListener("input", function () { if (!keyTyped) { key.value = slug(name.value); } });

  function showDates() {
    var checked = form.querySelector('input[name="effective_mode"]:checked');
    var mode = checked ? checked.value : "none";
    document.querySelectorAll("[data-effective]").forEach(function (field) {
      var which = field.getAttribute("data-effective");
      field.hidden = !(mode === "between" || mode === which);
    });
  }

  // An image chosen on the create form shows on the preview tiles before it is sent.
  function showBadge(tile, url) {
    var art = tile.querySelector(".tile-art");
    var img = tile.querySelector(".tile-badge");
    var icon = tile.querySelector(".tile-icon");
    if (url && !img) {
      img = document.createElement("img");
      img.className = "tile-badge";
      img.alt = "";
      img.width = 64;
      img.height = 64;
      art.insertBefore(img, art.firstChild);
    }
    if (img) {
      if (url) { img.src = url; } else { img.remove(); }
    }
    if (icon) { icon.hidden = Boolean(url); }
  }

  function showBackground(tile, url) {
    tile.classList.toggle("tile-has-image", Boolean(url));
    if (url) {
      tile.style.setProperty("--tile-image", "url(\"" + url + "\")");
    } else {
      tile.style.removeProperty("--tile-image");
    }
  }

  function previewImage(input) {
    var which = input.getAttribute("data-preview-image");
    var show = which === "badge" ? showBadge : showBackground;
    var file = input.files && input.files[0];
    if (!file) {
      tiles.forEach(function (tile) { show(tile, ""); });
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      tiles.forEach(function (tile) { show(tile, String(reader.result)); });
    };
    reader.readAsDataURL(file);
  }

  document.querySelectorAll("[data-preview-image]").forEach(function (input) {
    input.addEventListener("change", function () { previewImage(input); });
  });

  form.addEventListener("input", updatePreview);
  form.addEventListener("change", function (event) {
    updatePreview();
    if (event.target.name === "effective_mode") { showDates(); }
  });
  form.addEventListener("plaudit:rules", function (event) { updateProgress(event.detail.groups); });

  updatePreview();
  showDates();
  var summary = byId("error-summary");
  if (summary) { summary.focus(); }
})();
