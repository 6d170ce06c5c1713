// The header's menus as disclosure buttons: a group's button opens and closes its list; Escape
// closes the open one and puts focus back on its button; a click elsewhere, or focus leaving
// the group, closes it. Below 72rem the Menu button does the same for the whole list.
// Without this script every entry is a plain link (see css/nav.css).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function wire() {
    var nav = document.querySelector("[data-nav]");
    if (!nav) return;
    var menuButton = nav.querySelector("[data-menu-toggle]");
    var groupButtons = Array.prototype.slice.call(nav.querySelectorAll("[data-group-toggle]"));

    function isOpen(button) {
      return button.getAttribute("aria-expanded") === "true";
    }
    function setGroup(button, open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.parentElement.classList.toggle("is-open", open);
    }
    function closeGroups(except) {
      groupButtons.forEach(function (b) { if (b !== except) setGroup(b, false); });
    }
    function setMenu(open) {
      menuButton.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
    }

    groupButtons.forEach(function (button) {
      var group = button.parentElement;
      button.addEventListener("click", function () {
        var open = !isOpen(button);
        closeGroups(button);
        setGroup(button, open);
      });
      group.addEventListener("focusout", function (event) {
        if (event.relatedTarget && !group.contains(event.relatedTarget)) setGroup(button, false);
      });
    });
    if (menuButton) {
      menuButton.addEventListener("click", function () { setMenu(!isOpen(menuButton)); });
    }
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      var open = groupButtons.filter(isOpen)[0];
      if (open) {
        setGroup(open, false);
        open.focus();
      } else if (menuButton && isOpen(menuButton)) {
        setMenu(false);
        menuButton.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (nav.contains(event.target)) return;
      closeGroups(null);
      if (menuButton) setMenu(false);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
