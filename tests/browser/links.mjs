// Link previews and backlinks in Debian's chromium, in light and dark mode: hover a link to
// another note (the preview shows, stays while the pointer is on it, goes when the pointer
// leaves both), Tab to it (the preview shows), Escape (it goes); the contrast of every line of
// the preview and of the backlinks; axe-core with the preview open and on the linked page.
// usage: node links.mjs BASE_URL PAGE   (PAGE links to notes; the first linked note lists backlinks)
// Prints one JSON object; tests/test_backlinks.py makes the assertions.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [base, pagePath] = process.argv.slice(2);
const origin = new URL(base).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const out = { errors: [], foreign: [], modes: {} };

// WCAG contrast of an element's text against the first opaque background behind it
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

const axe = async (page) => {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    await new Promise((r) => setTimeout(r, 50));
    return await window.axe.run(document, { resultTypes: ["violations"] });
  });
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`);
};

const tip = (page) => page.evaluate(() => {
  const t = document.querySelector(".mlnotes-ref-preview");
  if (!t) return null;
  const link = document.querySelector("[aria-describedby]");
  return {
    id: t.id, role: t.getAttribute("role"),
    describedby: link ? link.getAttribute("aria-describedby") : null,
    text: [...t.querySelectorAll(".mlnotes-note-preview > *")].map((n) => n.textContent),
  };
});

try {
  for (const mode of ["light", "dark"]) {
    const context = await browser.newContext({ colorScheme: mode, viewport: { width: 1280, height: 1200 } });
    await context.addInitScript((m) => { try { localStorage.setItem("mode", m); } catch (e) {} }, mode);
    const page = await context.newPage();
    page.on("pageerror", (e) => out.errors.push(`${mode}: ${e}`));
    page.on("request", (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) out.foreign.push(r.url()); });
    await page.goto(base + pagePath, { waitUntil: "load" });
    const run = { theme: await page.evaluate(() => document.documentElement.dataset.theme || "") };
    const link = page.locator("a.mlnotes-note-link").first();

    // the pointer
    await link.hover();
    await page.waitForSelector(".mlnotes-ref-preview");
    run.hover = await tip(page);
    run.hover.gap = await page.evaluate(() => {  // the preview sits right under its link
      const t = document.querySelector(".mlnotes-ref-preview").getBoundingClientRect();
      const a = document.querySelector("[aria-describedby]").getBoundingClientRect();
      return Math.round(t.top - a.bottom);
    });
    run.contrast = await page.evaluate((src) => {
      const contrast = eval(src);
      return [...document.querySelectorAll(".mlnotes-note-preview > *")].map(contrast);
    }, CONTRAST);
    run.axe = await axe(page);  // with the preview open
    await page.hover(".mlnotes-ref-preview");
    await page.waitForTimeout(400);
    run.hover.stays = (await tip(page)) !== null;
    await page.mouse.move(1, 1);
    await page.waitForTimeout(400);
    run.left = (await tip(page)) !== null;

    // the keyboard: Tab from just before the link
    await page.evaluate(() => {
      const a = document.querySelector("a.mlnotes-note-link");
      const probe = document.createElement("a"); probe.href = "#"; probe.id = "mlnotes-probe"; probe.textContent = "probe";
      a.parentElement.insertBefore(probe, a);
    });
    await page.focus("#mlnotes-probe");
    await page.keyboard.press("Tab");
    run.focus = await tip(page) || { text: [] };
    run.focus.active = await page.evaluate(() => document.activeElement.textContent);
    await page.keyboard.press("Escape");
    const after = await tip(page);
    run.escape = { shown: after !== null,
                   describedby: await page.evaluate(() => document.activeElement.getAttribute("aria-describedby")) };

    // the linked note: its backlinks, legible, no axe violation
    await page.goto(await link.evaluate((a) => a.href), { waitUntil: "load" });
    out.backlinks = await page.evaluate(() => [...document.querySelectorAll(".mlnotes-backlinks li > a")].map((a) => a.textContent));
    run.contrast.push(...await page.evaluate((src) => {
      const contrast = eval(src);
      return [...document.querySelectorAll(".mlnotes-backlink-context, .mlnotes-backlink-context strong, .mlnotes-backlinks a")].map(contrast);
    }, CONTRAST));
    run.axe.push(...await axe(page));
    out.modes[mode] = run;
    await context.close();
  }
} catch (e) {
  out.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
