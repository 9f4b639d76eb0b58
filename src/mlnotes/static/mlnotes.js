// mlnotes: sortable tables (the papers index). Click a header to sort by it; again to reverse.
document.querySelectorAll("table.mlnotes-sortable").forEach((table) => {
  table.querySelectorAll("th button[data-col]").forEach((button) => {
    button.addEventListener("click", () => {
      const col = Number(button.dataset.col);
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      const descending = button.dataset.order !== "desc";
      const key = (row) => {
        const cell = row.cells[col];
        return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
      };
      rows.sort((a, b) => key(a).localeCompare(key(b), document.documentElement.lang || undefined) * (descending ? -1 : 1));
      rows.forEach((row) => body.appendChild(row));
      table.querySelectorAll("th button").forEach((b) => { delete b.dataset.order; b.removeAttribute("aria-sort"); });
      button.dataset.order = descending ? "desc" : "asc";
      button.closest("th").setAttribute("aria-sort", descending ? "descending" : "ascending");
    });
  });
});

// Previews in place: hover or focus a citation to read the reference (the footnote's own text),
// or a link to another note to read its title, date and summary (embedded in the page when it
// was built, site/backlinks.py). Everything is in the page already, so it works offline.
// One tooltip at a time; it describes its link (aria-describedby) while shown, stays while the
// pointer is over it, and Escape closes it.
(() => {
  let tip = null;
  let owner = null;
  let timer = 0;
  const hide = () => {
    clearTimeout(timer);
    if (owner) owner.removeAttribute("aria-describedby");
    if (tip) tip.remove();
    tip = owner = null;
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(hide, 200); };
  const show = (ref, content) => {
    const body = content(ref);
    if (!body) return;
    hide();
    tip = document.createElement("div");
    tip.className = "mlnotes-ref-preview";
    tip.id = "mlnotes-preview";
    tip.setAttribute("role", "tooltip");
    tip.appendChild(body);
    tip.addEventListener("mouseenter", () => clearTimeout(timer));
    tip.addEventListener("mouseleave", later);
    // inside the page's main landmark (all content in landmarks), placed under the link in the
    // coordinates of whatever positioned box holds it
    (ref.closest("main") || document.body).appendChild(tip);
    owner = ref;
    ref.setAttribute("aria-describedby", tip.id);
    const r = ref.getBoundingClientRect();
    const box = tip.offsetParent && tip.offsetParent !== document.body ? tip.offsetParent.getBoundingClientRect()
      : { left: -window.scrollX, top: -window.scrollY };
    const x = Math.max(8, Math.min(r.left, document.documentElement.clientWidth - tip.offsetWidth - 8));
    tip.style.left = `${x - box.left}px`;
    tip.style.top = `${r.bottom + 6 - box.top}px`;
  };
  const attach = (selector, content) => {
    document.querySelectorAll(selector).forEach((ref) => {
      ref.addEventListener("mouseenter", () => show(ref, content));
      ref.addEventListener("focus", () => show(ref, content));
      ref.addEventListener("mouseleave", later);
      ref.addEventListener("blur", hide);
    });
  };
  attach("a.footnote-reference", (ref) => {
    const id = decodeURIComponent((ref.getAttribute("href") || "").replace(/^#/, ""));
    const note = id && document.getElementById(id);
    if (!note) return null;
    const body = note.cloneNode(true);
    body.querySelectorAll(".label, .fn-bracket, .backrefs").forEach((n) => n.remove());
    body.removeAttribute("id");
    body.querySelectorAll("[id]").forEach((n) => n.removeAttribute("id"));
    return body;
  });
  const data = document.getElementById("mlnotes-note-previews");
  const notes = data ? JSON.parse(data.textContent) : {};
  attach("a.mlnotes-note-link", (ref) => {
    const note = notes[(ref.getAttribute("href") || "").split("#")[0]];
    if (!note) return null;
    const body = document.createElement("div");
    body.className = "mlnotes-note-preview";
    const line = (cls, tag, text) => {
      const el = document.createElement(tag);
      el.className = cls;
      el.textContent = text;
      body.appendChild(el);
    };
    line("mlnotes-note-preview-title", "strong", note.title);
    line("mlnotes-note-preview-date", "span", note.date);
    if (note.summary) line("mlnotes-note-preview-summary", "p", note.summary);
    return body;
  });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") hide(); });
})();

// mlnotes: a display formula wider than the column scrolls sideways (div.math has overflow-x: auto).
// Keyboard users must be able to scroll it too, so exactly those formulas that overflow become
// focusable groups; on a wider screen the same formulas drop out of the tab order again.  Their
// name is in the site's language, from the page's labels (#mlnotes-labels, core/i18n.py).
(() => {
  const labels = document.getElementById("mlnotes-labels");
  const name = labels ? JSON.parse(labels.textContent).formula : "";
  const mark = () => {
    document.querySelectorAll("div.math").forEach((box) => {
      const overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        box.dataset.mlnotesScroll = "1";
        box.setAttribute("role", "group");
        if (name) box.setAttribute("aria-label", name);
      } else if (!overflows && box.dataset.mlnotesScroll) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.mlnotesScroll;
      }
    });
  };
  let pending = 0;
  window.addEventListener("resize", () => { cancelAnimationFrame(pending); pending = requestAnimationFrame(mark); });
  mark();
})();
