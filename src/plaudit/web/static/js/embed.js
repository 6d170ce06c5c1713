// Embed pages: tell the framing page how tall the content is, so that it can size the
// iframe without a scroll bar. The message is {type: "plaudit:embed-height", height: px};
// it carries nothing else, so any parent may read it.
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var last = 0;
  function report() {
    // The body, not the document: the document is never shorter than the frame itself,
    // so a frame made too tall at first would never shrink to its content.
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "plaudit:embed-height", height: height }, "*");
    }
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  if ("ResizeObserver" in window) { new ResizeObserver(report).observe(document.body); }
})();
