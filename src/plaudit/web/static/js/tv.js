/* TV mode: every `data-seconds`, fetch the next board of `data-boards` as an HTML fragment
   (GET /leaderboard/tv/board?board=...) and swap it in without reloading the page. A failed
   fetch keeps the current board and tries the next one later. The timer bar animates only
   when the viewer has not asked for reduced motion (see portal.css). */
(function () {
  "use strict";
  var root = document.getElementById("tv");
  var stage = document.getElementById("tv-board");
  if (!root || !stage) {
    return;
  }
  var boards = (root.getAttribute("data-boards") || "").split(" ").filter(Boolean);
  var seconds = Math.max(2, Number(root.getAttribute("data-seconds")) || 20);
  var index = Number(root.getAttribute("data-start")) || 0;
  var pos = document.getElementById("tv-pos");
  var bar = document.getElementById("tv-timer-bar");
  var dots = document.querySelectorAll("[data-dot]");
  if (boards.length === 0) {
    return;
  }

  function restartTimer() {
    if (!bar) {
      return;
    }
    bar.classList.remove("tv-running");
    void bar.offsetWidth; // restart the CSS animation
    bar.classList.add("tv-running");
  }

  function mark(current) {
    if (pos) {
      pos.textContent = String(current + 1);
    }
    dots.forEach(function (dot) {
      if (Number(dot.getAttribute("data-dot")) === current) {
        dot.setAttribute("aria-current", "step");
      } else {
        dot.removeAttribute("aria-current");
      }
    });
  }

  function show(next) {
    var url = "/leaderboard/tv/board?board=" + encodeURIComponent(boards[next]);
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          throw new Error("board " + boards[next] + ": " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        stage.innerHTML = html;
        index = next;
        mark(index);
        var title = document.getElementById("tv-title");
        if (title) {
          document.title = "TV · " + title.textContent + " · Plaudit";
        }
      })
      .catch(function () {
        index = next; // skip a board that cannot be shown now
      })
      .then(schedule);
  }

  function schedule() {
    restartTimer();
    window.setTimeout(function () {
      show((index + 1) % boards.length);
    }, seconds * 1000);
  }

  schedule();
})();
