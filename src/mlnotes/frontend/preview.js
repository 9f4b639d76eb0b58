// The mlnotes live preview's client (src/mlnotes/frontend/preview.py adds it to every HTML
// response of the preview server; it is never written into the built pages).
// It listens to the server's event stream: after a build it reloads the page, after a restart of
// the server too, and it shows the last build's warnings in a dismissable overlay.
(function () {
  "use strict";
  if (!window.EventSource) return;
  var first = null; // the server instance and build this page was loaded from
  var dismissed = null; // the warnings the reader closed (shown again when they change)
  var box = null;

  function overlay(warnings) {
    var key = JSON.stringify(warnings);
    if (!warnings.length || key === dismissed) {
      if (box) { box.remove(); box = null; }
      if (!warnings.length) dismissed = null;
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "mlnotes-preview-warnings";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-live", "assertive");
      box.setAttribute("aria-labelledby", "mlnotes-preview-warnings-title");
      box.style.cssText = "position:fixed;left:1rem;right:1rem;bottom:1rem;z-index:2147483647;" +
        "max-height:45vh;overflow:auto;background:#fff8e1;color:#1a1a1a;border:2px solid #b45309;" +
        "border-radius:6px;padding:0.75rem 1rem;font:14px/1.45 monospace;box-shadow:0 4px 16px rgba(0,0,0,.3)";
      document.body.appendChild(box);
    }
    box.textContent = "";
    var title = document.createElement("strong");
    title.id = "mlnotes-preview-warnings-title";
    title.textContent = "mlnotes preview: the last build warned (" + warnings.length + ")";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.setAttribute("aria-label", "Dismiss the build warnings");
    close.style.cssText = "float:right;font:inherit;cursor:pointer";
    close.onclick = function () { dismissed = key; overlay(warnings); };
    var list = document.createElement("pre");
    list.style.cssText = "white-space:pre-wrap;margin:0.5rem 0 0";
    list.textContent = warnings.join("\n");
    box.appendChild(close);
    box.appendChild(title);
    box.appendChild(list);
    close.focus();
  }

  function show(event) {
    var state = JSON.parse(event.data);
    if (document.body) overlay(state.warnings);
    else document.addEventListener("DOMContentLoaded", function () { overlay(state.warnings); });
    return state;
  }

  var source = new EventSource("/_mlnotes/events");
  source.addEventListener("hello", function (event) {
    var state = show(event);
    if (first === null) first = state;
    else if (state.server !== first.server || state.build !== first.build) location.reload();
  });
  source.addEventListener("warnings", show);
  source.addEventListener("reload", function () { location.reload(); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && box) box.querySelector("button").click();
  });
})();
