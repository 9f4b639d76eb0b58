// mlnotes: a "Copy" button on every code block. Copies the code as written: without line
// numbers, and for console sessions (lines with prompts) without the prompts and the output.
// Uses the Clipboard API where the page may (HTTPS or localhost); otherwise a hidden textarea
// and execCommand; if both fail, the code is selected so Ctrl+C copies it.
(() => {
  // the words, in the site's language, from the page's labels (#mlnotes-labels, core/i18n.py)
  const L = JSON.parse(document.getElementById("mlnotes-labels").textContent);
  const LABEL = L.copy, DONE = L.copied, FAILED = L.press;

  const codeText = (pre) => {
    const copy = pre.cloneNode(true);
    const isConsole = copy.querySelector(".gp") !== null;
    copy.querySelectorAll(".linenos, .lineno, .gp" + (isConsole ? ", .go" : "")).forEach((n) => n.remove());
    let text = copy.textContent.replace(/\n$/, "");
    if (isConsole) text = text.split("\n").filter((line) => line.trim() !== "").join("\n");
    return text;
  };

  const fallbackCopy = (text) => {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  };

  const writeClipboard = async (text) => {
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(text); return true; } catch (e) { /* fall through */ }
    }
    return fallbackCopy(text);
  };

  let status = null;
  const announce = (message) => {
    if (!status) {
      status = document.createElement("div");
      status.className = "mlnotes-visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = message;
  };

  const setLabel = (button, text) => {
    button.textContent = text;
    button.setAttribute("aria-label", text === LABEL ? L.copyCode : text === DONE ? L.copiedCode : text);
  };

  document.querySelectorAll("div.highlight > pre").forEach((pre) => {
    const host = pre.parentElement;
    if (host.querySelector(":scope > button.mlnotes-copy")) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "mlnotes-copy";
    setLabel(button, LABEL);
    let timer = null;
    button.addEventListener("click", async () => {
      const ok = await writeClipboard(codeText(pre));
      if (!ok) {
        const range = document.createRange();
        range.selectNodeContents(pre);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setLabel(button, ok ? DONE : FAILED);
      button.dataset.state = ok ? "done" : "failed";
      announce(ok ? L.copiedNote : L.failedNote);
      clearTimeout(timer);
      timer = setTimeout(() => { setLabel(button, LABEL); delete button.dataset.state; }, 2000);
    });
    host.classList.add("mlnotes-has-copy");
    host.appendChild(button);
  });
})();
