/* The achievement form's icon picker: a searchable grid of the icon set (from GET
   /admin/icons), used with the mouse or the keyboard (arrow keys, Home/End, Enter or Space
   to choose, Escape back to the search box), which writes the chosen name into the Icon
   field and draws it in the tile preview. The Icon field stays a plain text field: an emoji
   can be typed there, and without this script the form still works. */
(function () {
  "use strict";

  var picker = document.getElementById("icon-picker");
  var field = document.getElementById("f-icon");
  if (!picker || !field || !window.fetch) { return; }
  var search = document.getElementById("icon-search");
  var grid = document.getElementById("icon-grid");
  var status = document.getElementById("icon-picker-status");
  var current = document.getElementById("icon-current");
  var nameField = document.getElementById("f-name");
  var url = picker.getAttribute("data-url");
  var DEFAULT_ICON = "award";
  var LIMIT = 120;
  var svgs = {};
  var requestSeq = 0;

  function normalise(text) {
    return text.trim().toLowerCase().replace(/_/g, " ").split(/\s+/).filter(Boolean).join("-");
  }

  function looksLikeName(text) { return /^[A-Za-z0-9 _-]+$/.test(text); }

  function fetchIcons(query, limit) {
    var address = url + "?q=" + encodeURIComponent(query) + "&limit=" + limit;
    return fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("icons: " + response.status); }
        return response.json();
      })
      .then(function (data) {
        data.icons.forEach(function (icon) { svgs[icon.name] = icon.svg; });
        return data;
      });
  }

  function svgFor(name) {
    if (svgs[name]) { return Promise.resolve(svgs[name]); }
    return fetchIcons(name, 1).then(function (data) {
      var first = data.icons[0];
      return first && first.name === name ? first.svg : null;
    });
  }

  // Draw `value` (a name or an emoji) in the tile previews and beside the field.
  function draw(value) {
    var text = value.trim();
    var name = text === "" ? DEFAULT_ICON : (looksLikeName(text) ? normalise(text) : null);
    var found = name === null ? Promise.resolve(null) : svgFor(name).then(function (svg) {
      return svg || svgFor(DEFAULT_ICON);
    });
    found.then(function (svg) {
      if (field.value.trim() !== text) { return; }
      var shown = name !== null && svgs[name] === svg ? name : DEFAULT_ICON;
      var label = (nameField && nameField.value.trim()) || "Achievement name";
      document.querySelectorAll(".editor-preview .tile-icon").forEach(function (slot) {
        slot.replaceChildren(iconNode(svg, text, label, false, shown));
      });
      if (current) { current.replaceChildren(iconNode(svg, text, "", true, shown)); }
    }).catch(function () { /* the preview keeps its last icon; saving still checks */ });
  }

  function iconNode(svg, emoji, label, decorative, name) {
    var span = document.createElement("span");
    span.className = "icon";
    if (decorative) {
      span.setAttribute("aria-hidden", "true");
    } else {
      span.setAttribute("role", "img");
      span.setAttribute("aria-label", label);
      span.title = label;
    }
    if (svg) {
      span.setAttribute("data-icon", name || "");
      span.innerHTML = svg; // markup from our own server's icon set, never user text
    } else {
      span.setAttribute("data-emoji", "");
      span.textContent = emoji;
    }
    return span;
  }

  function options() { return Array.prototype.slice.call(grid.querySelectorAll("[role=option]")); }

  function markSelected() {
    var chosen = normalise(field.value);
    options().forEach(function (option) {
      option.setAttribute("aria-selected", option.getAttribute("data-name") === chosen ? "true" : "false");
    });
  }

  function focusOption(option) {
    options().forEach(function (other) { other.tabIndex = -1; });
    option.tabIndex = 0;
    option.focus();
    option.scrollIntoView({ block: "nearest" });
  }

  function render(query, data) {
    grid.replaceChildren();
    data.icons.forEach(function (icon) {
      var option = document.createElement("li");
      option.setAttribute("role", "option");
      option.className = "icon-option";
      option.id = "icon-option-" + icon.name;
      option.setAttribute("data-name", icon.name);
      option.tabIndex = -1;
      option.appendChild(iconNode(icon.svg, "", "", true, icon.name));
      var caption = document.createElement("span");
      caption.textContent = icon.name;
      option.appendChild(caption);
      grid.appendChild(option);
    });
    markSelected();
    var first = grid.querySelector("[aria-selected=true]") || grid.firstElementChild;
    if (first) { first.tabIndex = 0; }
    var shown = data.icons.length;
    if (shown === 0) {
      status.textContent = "No icon matches \u201c" + query + "\u201d. You can also type one emoji in the Icon field.";
    } else if (shown < data.total) {
      status.textContent = shown + " of " + data.total + " icons shown; type to narrow the list.";
    } else {
      status.textContent = data.total + (data.total === 1 ? " icon matches." : " icons match.");
    }
  }

  function load(query) {
    var seq = ++requestSeq;
    fetchIcons(query, LIMIT).then(function (data) {
      if (seq === requestSeq) { render(query, data); }
    }).catch(function () {
      if (seq === requestSeq) { status.textContent = "The icons could not be loaded; type a name or an emoji in the Icon field."; }
    });
  }

  function choose(option) {
    var name = option.getAttribute("data-name");
    field.value = name;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    markSelected();
    status.textContent = "Chosen: " + name + ".";
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, wait);
    };
  }

  function columns() {
    var all = options();
    if (all.length === 0) { return 1; }
    var top = all[0].offsetTop;
    var count = 0;
    while (count < all.length && all[count].offsetTop === top) { count++; }
    return Math.max(count, 1);
  }

  grid.addEventListener("click", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) { focusOption(option); choose(option); }
  });

  grid.addEventListener("keydown", function (event) {
    var option = event.target.closest("[role=option]");
    if (!option) { return; }
    var all = options();
    var index = all.indexOf(option);
    var next = null;
    switch (event.key) {
      case "ArrowRight": next = index + 1; break;
      case "ArrowLeft": next = index - 1; break;
      case "ArrowDown": next = index + columns(); break;
      case "ArrowUp":
        next = index - columns();
        if (next < 0) { event.preventDefault(); search.focus(); return; }
        break;
      case "Home": next = 0; break;
      case "End": next = all.length - 1; break;
      case "Enter":
      case " ":
        event.preventDefault();
        choose(option);
        return;
      case "Escape":
        event.preventDefault();
        search.focus();
        return;
      default: return;
    }
    event.preventDefault();
    next = Math.max(0, Math.min(all.length - 1, next));
    focusOption(all[next]);
  });

  search.addEventListener("input", debounce(function () { load(search.value); }, 150));
  search.addEventListener("keydown", function (event) {
    var target = grid.querySelector("[tabindex='0']") || grid.firstElementChild;
    if (event.key === "ArrowDown" && target) {
      event.preventDefault();
      focusOption(target);
    } else if (event.key === "Enter") {
      event.preventDefault(); // never submit the whole form from the search box
      if (grid.firstElementChild) { focusOption(grid.firstElementChild); choose(grid.firstElementChild); }
    }
  });

  field.addEventListener("input", debounce(function () { draw(field.value); markSelected(); }, 120));
  if (nameField) {
    nameField.addEventListener("input", debounce(function () { draw(field.value); }, 200));
  }

  // An active achievement's form is locked (a disabled fieldset): nothing to choose, so no
  // grid of options that cannot be focused or used.
  if (field.matches(":disabled")) { return; }
  picker.hidden = false;
  load("");
})();
