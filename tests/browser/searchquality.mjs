// Run a query set through the search page's own engine (window.mlnotesSearch) in Debian's chromium.
// usage: node searchquality.mjs BASE_URL QUERIES.json [--fresh]
//   QUERIES.json: [{"q": "...", "filters": {...}}, ...]
//   --fresh: each query on a new search.html?q=… in a new browser context (empty cache), as a reader
//            arriving from the search field: records bytes transferred and the time to the results.
// prints {results: [{q, words, docs: [docname…]}], pages: [{q, bytes, searchBytes, ms, nav}], errors: []}
//   (ms: from the search script's start to the results on the page; nav: from the navigation's start)
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [base, file, flag] = process.argv.slice(2);
const queries = JSON.parse(readFileSync(file, "utf-8"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const out = { results: [], pages: [], errors: [] };
try {
  if (flag === "--fresh") {
    for (const { q, filters } of queries) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on("pageerror", (e) => out.errors.push(`${q}: ${e}`));
      page.on("response", (r) => { if (r.status() >= 400) { out.errors.push(`${q}: ${r.status()} ${r.url()}`); } });
      const params = new URLSearchParams({ q, ...(filters || {}) });
      await page.goto(`${base}/search.html?${params}`, { waitUntil: "load" });
      await page.waitForFunction(() => document.querySelector("[data-mlnotes-search-ms]"), null, { timeout: 30000 })
        .catch(() => out.errors.push(`${q}: no results shown`));
      await page.waitForLoadState("networkidle").catch(() => {});
      out.pages.push(await page.evaluate((query) => {
        const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
        const bytes = entries.reduce((s, e) => s + (e.transferSize || 0), 0);
        const searchBytes = entries.filter((e) => e.name.includes("/_search/") || e.name.includes("mlnotes-search.js"))
          .reduce((s, e) => s + (e.transferSize || 0), 0);
        const shown = [...document.querySelectorAll("#search-results ul.search li")];
        return {
          q: query, bytes, searchBytes, requests: entries.length,
          ms: Number(document.querySelector("[data-mlnotes-search-ms]").getAttribute("data-mlnotes-search-ms")),
          nav: Number(document.querySelector("[data-mlnotes-search-ms]").getAttribute("data-mlnotes-search-nav") || 0),
          shown: shown.length, marks: document.querySelectorAll("#search-results mark").length,
          snippets: document.querySelectorAll("#search-results p.context:has(mark)").length,
          marked: [...new Set([...document.querySelectorAll("#search-results mark")].map((m) => m.textContent.toLowerCase()))],
          summary: (document.querySelector(".search-summary") || {}).textContent || "",
        };
      }, q));
      await context.close();
    }
  } else {
    const page = await browser.newPage();
    page.on("pageerror", (e) => out.errors.push(String(e)));
    await page.goto(`${base}/search.html`, { waitUntil: "load" });
    for (const { q, filters } of queries) {
      out.results.push(await page.evaluate(async ([query, f]) => {
        const found = await window.mlnotesSearch.run(query, f || {});
        return { q: query, words: found.words, docs: found.results.map((r) => r.docname) };
      }, [q, filters]));
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
