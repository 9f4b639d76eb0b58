// axe-core on built pages in Debian's chromium, in light and dark mode, on a desktop and a phone
// viewport; print one JSON object: {errors, runs: [{page, mode, viewport, theme, violations}]}.
// usage: node axe.mjs BASE_URL PAGE...   (a PAGE may carry a query, e.g. "search.html?q=…";
// on search.html the script waits until the results have been rendered)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [base, ...pages] = process.argv.slice(2);
const modes = (process.env.AXE_MODES || "light,dark").split(",");
const viewports = {
  // tall enough that the theme's sticky sidebars are painted whole: axe only judges the colour
  // contrast of what is painted, and leaves the rest "incomplete"
  desktop: { width: 1280, height: 2000 },
  phone: { width: 390, height: 844 },
};
const useViewports = (process.env.AXE_VIEWPORTS || "desktop,phone").split(",");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const out = { errors: [], runs: [] };
try {
  for (const mode of modes) {
    for (const vp of useViewports) {
      // the theme reads the reader's choice from localStorage ("mode") and falls back to the
      // system preference; set both so data-theme on <html> is really `mode`
      const context = await browser.newContext({ colorScheme: mode, viewport: viewports[vp] });
      await context.addInitScript((m) => { try { localStorage.setItem("mode", m); } catch (e) {} }, mode);
      const page = await context.newPage();
      page.on("pageerror", (e) => out.errors.push(`${mode}/${vp}: ${e}`));
      for (const path of pages) {
        await page.goto(`${base}/${path}`, { waitUntil: "load" });
        if (path.startsWith("search.html")) {
          await page.waitForFunction(() => {
            const s = document.querySelector("#search-results .search-summary, .search-summary");
            return s && s.textContent.trim().length > 0 && document.querySelectorAll("ul.search li").length > 0;
          }, null, { timeout: 30000 }).catch(() => out.errors.push(`${mode}/${vp}: search results never rendered on ${path}`));
        }
        await page.evaluate(axeSource);
        const theme = await page.evaluate(() => document.documentElement.dataset.theme || "");
        const result = await page.evaluate(async () => {
          // colour contrast is judged on what is painted, after the theme's transitions
          await new Promise((r) => setTimeout(r, 50));
          return await window.axe.run(document, { resultTypes: ["violations"] });
        });
        out.runs.push({
          page: path, mode, viewport: vp, theme,
          violations: result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => ({ target: n.target.join(" "), impact: n.impact, summary: n.failureSummary })),
          })),
        });
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
