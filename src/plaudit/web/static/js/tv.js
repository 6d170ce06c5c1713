/* TV mode: show the next board every few seconds without reloading the page, and keep every
   board inside the screen.

   Boards from the URL (/leaderboard/tv): `data-boards` lists them and `data-seconds` is the
   time each shows; the next one is GET /leaderboard/tv/board?board=... (an HTML fragment).
   A playlist (/tv/playlists/ID): `data-playlist` is the fragment URL; each fragment carries
   #tv-meta (its position, the number of boards, its seconds and the next board's name), so an
   edited playlist takes effect at the next board. A link that was revoked reloads the page,
   which then says so. Any other failed fetch keeps the board shown and tries the next one.

   Fitting: tv.css sizes everything from the viewport; if a board is still taller than its
   space (a title that wraps on a narrow screen, say), `--tv-fit` shrinks the type until it
   fits. The timer bar animates only when the viewer has not asked for reduced motion. */
(function () {
  "use strict";
  var root = document.getElementById("tv");
  var stage = document.getElementById("tv-board");
  if (!root || !stage) {
    return;
  }
  var playlist = root.getAttribute("data-playlist");
  var boards = (root.getAttribute("data-boards") || "").split(" ").filter(Boolean);
  var count = playlist ? Number(root.getAttribute("data-count")) || 0 : boards.length;
  var seconds = Math.max(2, Number(root.getAttribute("data-seconds")) || 20);
  var index = Number(root.getAttribute("data-start")) || 0;
  var pos = document.getElementById("tv-pos");
  var total = document.getElementById("tv-total");
  var next = document.getElementById("tv-next-name");
  var bar = document.getElementById("tv-timer-bar");
  var dotList = document.getElementById("tv-dots");

  function fit() {
    var body = document.body;
    var scale = 1;
    body.style.setProperty("--tv-fit", "1");
    for (var i = 0; i < 15 && stage.scrollHeight > stage.clientHeight + 1; i++) {
      scale *= 0.92;
      body.style.setProperty("--tv-fit", scale.toFixed(3));
    }
  }

  function restartTimer() {
    if (!bar) {
      return;
    }
    root.style.setProperty("--tv-seconds", seconds + "s");
    bar.classList.remove("tv-running");
    void bar.offsetWidth; // restart the CSS animation
    bar.classList.add("tv-running");
  }

  function drawDots() {
    if (!dotList || dotList.children.length === count) {
      return;
    }
    dotList.innerHTML = "";
    for (var i = 0; i < count; i++) {
      var dot = document.createElement("li");
      dot.setAttribute("data-dot", String(i));
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = "Board " + (i + 1);
      dot.appendChild(label);
      dotList.appendChild(dot);
    }
  }

  function mark(current) {
    if (pos) {
      pos.textContent = String(current + 1);
    }
    if (total) {
      total.textContent = String(count);
    }
    drawDots();
    document.querySelectorAll("[data-dot]").forEach(function (dot) {
      if (Number(dot.getAttribute("data-dot")) === current) {
        dot.setAttribute("aria-current", "step");
      } else {
        dot.removeAttribute("aria-current");
      }
    });
  }

  function urlOf(position) {
    if (playlist) {
      return playlist + (playlist.indexOf("?") < 0 ? "?" : "&") + "position=" + position;
    }
    return "/leaderboard/tv/board?board=" + encodeURIComponent(boards[position]);
  }

  function readMeta() {
    var meta = document.getElementById("tv-meta");
    if (!meta) {
      return;
    }
    index = Number(meta.getAttribute("data-position")) || 0;
    count = Number(meta.getAttribute("data-count")) || count;
    seconds = Math.max(2, Number(meta.getAttribute("data-seconds")) || seconds);
    if (next) {
      next.textContent = meta.getAttribute("data-next") || "";
    }
  }

  function show(position) {
    fetch(urlOf(position), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (playlist && (response.status === 403 || response.status === 404)) {
          window.location.reload(); // revoked link or deleted playlist: the page says so
        }
        if (!response.ok || response.redirected) {
          throw new Error("board " + position + ": " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        stage.innerHTML = html;
        index = position;
        readMeta();
        mark(index);
        fit();
        var title = document.getElementById("tv-title");
        if (title) {
          document.title = "TV · " + title.textContent + " · Plaudit";
        }
      })
      .catch(function () {
        index = position; // skip a board that cannot be shown now
      })
      .then(schedule);
  }

  function schedule() {
    restartTimer();
    window.setTimeout(function () {
      show((index + 1) % count);
    }, seconds * 1000);
  }

  fit();
  window.addEventListener("resize", fit);
  if (count > 0) {
    readMeta();
    schedule();
  }
})();
