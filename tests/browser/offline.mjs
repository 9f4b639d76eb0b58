// Load pages of the built site in Debian's chromium and record every request the page makes;
// then use the theme's search button on a post the way a reader does.
// usage: node offline.mjs BASE_URL QUERY PATH...   prints {requests: {path: [url]}, search: {...}, errors: []}
import { chromium } from "playwright-core";

const [base, query, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const out = { requests: {}, search: null, errors: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  for (const path of paths) {
    const page = await context.newPage();
    const seen = [];
    page.on("request", (r) => seen.push(r.url()));
    page.on("pageerror", (e) => out.errors.push(`${path}: ${e}`));
    await page.goto(`${base}/${path}`, { waitUntil: "load" });
    await page.waitForLoadState("networkidle").catch(() => {});
    out.requests[path] = seen;
    await page.close();
  }
  // the search button opens the theme's dialog; Enter submits to search.html, which searches
  const page = await context.newPage();
  page.on("pageerror", (e) => out.errors.push(`search: ${e}`));
  await page.goto(`${base}/${paths.find((p) => p.startsWith("posts/")) || paths[0]}`, { waitUntil: "load" });
  await page.locator("button.search-button__button:visible").first().click();
  const field = page.locator("#pst-search-dialog input[name=q]");
  await field.waitFor({ state: "visible", timeout: 10000 });
  await field.fill(query);
  await Promise.all([page.waitForURL(/search\.html\?/, { timeout: 20000 }), field.press("Enter")]);
  await page.waitForFunction(() => {
    const s = document.querySelector("#search-results .search-summary, .search-summary");
    return s && s.textContent.trim().length > 0;
  }, null, { timeout: 30000 }).catch(() => out.errors.push("search: no result summary"));
  out.search = {
    url: page.url(),
    results: await page.$$eval("#search-results ul.search li > a:first-of-type, ul.search li a",
      (as) => [...new Set(as.map((a) => a.textContent.trim()))]),
  };
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
