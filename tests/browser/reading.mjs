// Reading features in Debian's chromium: copy buttons (clipboard, keyboard, fallbacks), dark mode
// on our own CSS, the per-page TOC, and the 404 page served for a nested missing URL.
// usage: node reading.mjs BASE_URL CODE_PAGE PLAIN_PAGE   (pages relative to BASE_URL)
// Prints one JSON object; tests/test_reading_browser.py makes the assertions.
import { chromium } from "playwright-core";

const [base, codePage, plainPage] = process.argv.slice(2);
const origin = new URL(base).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const out = { errors: [], foreign: [], failed: [] };

// relative luminance contrast of two CSS colours (rgb/rgba strings), as WCAG defines it
const CONTRAST = `(() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const bgOf = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return getComputedStyle(e).backgroundColor;
    }
    return "rgb(255, 255, 255)";
  };
  return (el) => {
    const a = lum(parse(getComputedStyle(el).color)), b = lum(parse(bgOf(el)));
    return Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 100) / 100;
  };
})()`;

const watch = (page) => {
  page.on("pageerror", (e) => out.errors.push(String(e)));
  page.on("request", (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) out.foreign.push(r.url()); });
  page.on("response", (r) => { if (r.status() >= 400 && r.request().resourceType() !== "document") out.failed.push(`${r.status()} ${r.url()}`); });
};

try {
  // ------------------------------------------------------------------ copy buttons
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  const page = await context.newPage();
  watch(page);
  await page.goto(base + codePage);
  const buttons = page.locator("div.highlight > button.mlnotes-copy");
  out.copy = {
    buttons: await buttons.count(),
    blocks: await page.locator("div.highlight > pre").count(),
    label: await buttons.first().textContent(),
    ariaLabel: await buttons.first().getAttribute("aria-label"),
    tag: await buttons.first().evaluate((b) => `${b.tagName}:${b.type}`),
  };
  const python = page.locator("div.highlight-python div.highlight").first();
  await python.locator("button.mlnotes-copy").click();
  out.copy.clicked = await page.evaluate(() => navigator.clipboard.readText());
  out.copy.after = await python.locator("button.mlnotes-copy").textContent();
  out.copy.status = await page.locator("[role=status]").textContent();
  // the keyboard: Tab to the button, Enter copies; the focus ring shows
  await page.evaluate(() => navigator.clipboard.writeText("-"));
  await page.evaluate(() => {
    const b = document.querySelector("div.highlight-python div.highlight button.mlnotes-copy");
    const before = document.createElement("a"); before.href = "#"; before.id = "mlnotes-probe"; before.textContent = "probe";
    b.parentElement.insertBefore(before, b);
  });
  await page.focus("#mlnotes-probe");
  await page.keyboard.press("Tab");
  out.copy.focused = await page.evaluate(() => document.activeElement.className);
  out.copy.focusOutline = await page.evaluate(() => { const s = getComputedStyle(document.activeElement); return `${s.outlineStyle} ${s.outlineWidth}`; });
  await page.keyboard.press("Enter");
  await page.waitForTimeout(100);
  out.copy.keyboard = await page.evaluate(() => navigator.clipboard.readText());
  // console sessions: commands only (when the page has one)
  const pycon = page.locator("div.highlight-pycon div.highlight, div.highlight-console div.highlight").first();
  if (await pycon.count()) {
    await pycon.locator("button.mlnotes-copy").click();
    out.copy.console = await page.evaluate(() => navigator.clipboard.readText());
  }
  const numbered = page.locator("div.highlight:has(.linenos)").first();
  if (await numbered.count()) {
    await numbered.locator("button.mlnotes-copy").click();
    out.copy.numbered = await page.evaluate(() => navigator.clipboard.readText());
  }

  // no Clipboard API: the execCommand fallback still copies
  const bare = await context.newPage();
  watch(bare);
  await bare.addInitScript(() => { Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined }); });
  await bare.goto(base + codePage);
  await bare.locator("div.highlight-python div.highlight button.mlnotes-copy").first().click();
  out.copy.fallbackLabel = await bare.locator("div.highlight-python div.highlight button.mlnotes-copy").first().textContent();
  out.copy.fallback = await page.evaluate(() => navigator.clipboard.readText());
  // nothing works: the code is selected for Ctrl+C and the button says so
  const none = await context.newPage();
  watch(none);
  await none.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined });
    document.execCommand = () => false;
  });
  await none.goto(base + codePage);
  await none.locator("div.highlight-python div.highlight button.mlnotes-copy").first().click();
  out.copy.noneLabel = await none.locator("div.highlight-python div.highlight button.mlnotes-copy").first().textContent();
  out.copy.noneSelection = await none.evaluate(() => String(window.getSelection()));

  const plain = await context.newPage();
  watch(plain);
  await plain.goto(base + plainPage);
  out.copy.buttonsOnPlain = await plain.locator("button.mlnotes-copy").count();

  // ------------------------------------------------------------- light and dark
  out.modes = {};
  for (const mode of ["light", "dark"]) {
    const p = await browser.newPage();
    watch(p);
    await p.addInitScript((m) => localStorage.setItem("mode", m), mode);
    await p.goto(base + codePage);
    out.modes[mode] = await p.evaluate((src) => {
      const contrast = eval(src);
      const pick = (sel) => { const el = document.querySelector(sel); return el ? contrast(el) : null; };
      return {
        theme: document.documentElement.dataset.theme,
        background: getComputedStyle(document.body).backgroundColor,
        copyButton: pick("button.mlnotes-copy"),
        postMeta: pick(".mlnotes-post-meta"),
        readingTime: pick(".mlnotes-reading-time"),
        navLabel: pick(".mlnotes-post-nav-label"),
        navLink: pick(".mlnotes-post-nav a"),
        lastUpdated: pick(".mlnotes-last-updated"),
        card: pick(".mlnotes-paper-card"),
        tocLinks: document.querySelectorAll("#pst-page-toc-nav a").length,
        headings: document.querySelectorAll("article h2").length,
      };
    }, CONTRAST);
    await p.close();
  }

  // --------------------------------------------------- 404 at a nested missing URL
  const lost = await browser.newPage();
  watch(lost);
  const response = await lost.goto(base + "a/b/c/missing.html");
  out.notfound = await lost.evaluate(() => ({
    title: document.querySelector("h1") && document.querySelector("h1").textContent,
    sheets: [...document.querySelectorAll('link[rel="stylesheet"]')].map((l) => ({
      href: l.href, rules: l.sheet ? l.sheet.cssRules.length : -1 })),
    articleDisplay: getComputedStyle(document.querySelector(".bd-article-container") || document.body).display,
    headerPosition: getComputedStyle(document.querySelector(".bd-header") || document.body).position,
    inputRadius: getComputedStyle(document.querySelector(".mlnotes-404 input")).borderTopLeftRadius,
    home: document.querySelector(".mlnotes-404 a").href,
    search: document.querySelector(".mlnotes-404 form").action,
    themeJs: typeof DOCUMENTATION_OPTIONS,
  }));
  out.notfound.status = response.status();
  await lost.fill("#mlnotes-404-q", "注意力");
  await Promise.all([lost.waitForNavigation(), lost.press("#mlnotes-404-q", "Enter")]);
  out.notfound.searchedTo = lost.url();
} catch (e) {
  out.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
