"""Benchmark of the site's search at scale: ``python -m tools.bench_search [--n 1000]`` (``make bench``).

Builds the bench corpus (``tools.bench.mlnotes_corpus``: N short notes of random Chinese text)
with the site's configuration, then reports

- the size of the split index (``_search/``: files, bytes on disk, the manifest gzipped) beside
  Sphinx's one-file ``searchindex.js``;
- for a query set drawn from the corpus's own indexed terms (1–4 words typed without spaces),
  each query as a reader runs it — ``search.html?q=…`` in a fresh Chromium context, so nothing
  is cached — the bytes transferred (all of the page, and the search's own: script, manifest,
  shards, bigrams, snippet blocks) and the time from the script's start to the rendered results
  (and from the start of the navigation, which includes loading the page and the theme);
- recall and precision over the notes against the notes whose text contains every word.

Goals (issue 17): ≤ 300 KiB transferred and ≤ 300 ms per search at N = 1,000.  The figures land
in ``_build/bench-search.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # localsite: the gzip server the browser tests use

from localsite import BROWSER_DIR, serve  # noqa: E402
from tools.bench import mlnotes_corpus  # noqa: E402
from tools.search_queries import drawn_queries, measure  # noqa: E402

SEARCH_DIR, RECORD = "_search", "mlnotes-search.pickle"  # as mlnotes.site.splitindex writes them


def build(src: Path, out: Path, doctrees: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(doctrees), str(src), str(out)],
                   check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])})
    return time.perf_counter() - started


def index_size(out: Path) -> dict[str, float]:
    files = [p for p in (out / SEARCH_DIR).rglob("*") if p.is_file()]
    manifest = (out / SEARCH_DIR / "manifest.json").read_bytes()
    shards = [p for p in files if p.suffix == ".json" and p.parent.name in ("h", "l")]
    bigrams = [p for p in files if p.suffix == ".json" and p.parent.name == "b"]
    sphinx = (out / "searchindex.js").read_bytes()
    return {
        "files": len(files),
        "kib": sum(p.stat().st_size for p in files) / 1024,
        "shards": len(shards),
        "largest_shard_gz_kib": max(len(gzip.compress(p.read_bytes())) for p in shards) / 1024,
        "bigram_buckets": len(bigrams),
        "bigram_kib": sum(p.stat().st_size for p in bigrams) / 1024,
        "largest_bigram_bucket_gz_kib": max((len(gzip.compress(p.read_bytes())) for p in bigrams), default=0) / 1024,
        "manifest_kib": len(manifest) / 1024,
        "manifest_gz_kib": len(gzip.compress(manifest)) / 1024,
        "sphinx_kib": len(sphinx) / 1024,
        "sphinx_gz_kib": len(gzip.compress(sphinx)) / 1024,
    }


def run_queries(out: Path, queries: list[dict[str, str]], fresh: bool) -> dict:
    node, chromium = shutil.which("node"), os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not node or not chromium or not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        raise SystemExit("bench_search needs node, chromium and tests/browser/node_modules (npm ci there)")
    spec = out.parent / f"queries-{int(fresh)}.json"
    spec.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    with serve(out) as base:
        result = subprocess.run([node, str(BROWSER_DIR / "searchquality.mjs"), base, str(spec),
                                 *(["--fresh"] if fresh else [])], check=True, capture_output=True, text=True,
                                timeout=1800, env={**os.environ, "CHROMIUM": chromium})
    data: dict = json.loads(result.stdout.strip().splitlines()[-1])
    if data["errors"]:
        raise SystemExit(f"bench_search: errors in the browser: {data['errors'][:5]}")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="notes in the corpus (default 1000)")
    parser.add_argument("--queries", type=int, default=40, help="queries in the set (default 40)")
    parser.add_argument("--work", type=Path, help="work directory (default: a temporary one)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the fresh-cache pass this many times and take each query's median time "
                             "(a busy machine's noise; default 1)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="mlnotes-bench-search-"))
    src = mlnotes_corpus(work, args.n, REPO)
    out, doctrees = work / "html", work / "doctrees"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(doctrees, ignore_errors=True)
    seconds = build(src, out, doctrees)
    size = index_size(out)
    record = pickle.loads((doctrees / RECORD).read_bytes())
    terms_of = {d: sorted(t for t in entry.terms if len(t) >= 2 and not t.isascii()) for d, entry in record.items()}
    queries = drawn_queries(out, terms_of, args.queries)
    specs = [{"q": q.q} for q in queries]
    quality = measure(queries, {r["q"]: r["docs"] for r in run_queries(out, specs, fresh=False)["results"]})
    runs = [run_queries(out, specs, fresh=True)["pages"] for _ in range(max(1, args.repeat))]
    # each query's median over the runs (the bytes do not vary)
    pages = [{**runs[0][i], "ms": statistics.median(r[i]["ms"] for r in runs),
              "nav": statistics.median(r[i]["nav"] for r in runs)} for i in range(len(specs))]
    figures = {
        "n": args.n, "repeat": max(1, args.repeat), "build_seconds": round(seconds, 1), "index": size,
        "quality": quality,
        "bytes_kib_median": statistics.median(p["bytes"] for p in pages) / 1024,
        "bytes_kib_max": max(p["bytes"] for p in pages) / 1024,
        "search_kib_median": statistics.median(p["searchBytes"] for p in pages) / 1024,
        "search_kib_max": max(p["searchBytes"] for p in pages) / 1024,
        "ms_median": statistics.median(p["ms"] for p in pages),
        "ms_p90": statistics.quantiles([p["ms"] for p in pages], n=10)[-1],
        "ms_max": max(p["ms"] for p in pages),
        "nav_ms_median": statistics.median(p["nav"] for p in pages),
        "nav_ms_max": max(p["nav"] for p in pages),
    }
    (REPO / "_build").mkdir(exist_ok=True)
    (REPO / "_build" / "bench-search.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(f"search at N = {args.n} ({len(queries)} queries of 1–4 unspaced words, fresh cache each)")
    print(f"  split index: {size['files']} files, {size['kib']:.0f} KiB; "
          f"manifest {size['manifest_gz_kib']:.0f} KiB gz; {size['shards']} shards, "
          f"largest {size['largest_shard_gz_kib']:.1f} KiB gz; {size['bigram_buckets']} bigram buckets, "
          f"{size['bigram_kib']:.0f} KiB, largest {size['largest_bigram_bucket_gz_kib']:.1f} KiB gz")
    print(f"  Sphinx's searchindex.js: {size['sphinx_kib']:.0f} KiB ({size['sphinx_gz_kib']:.0f} KiB gz)")
    print(f"  per search: {figures['bytes_kib_median']:.0f} KiB transferred in all "
          f"(max {figures['bytes_kib_max']:.0f}), search data {figures['search_kib_median']:.0f} KiB "
          f"(max {figures['search_kib_max']:.0f})")
    print(f"  results after {figures['ms_median']:.0f} ms median, {figures['ms_p90']:.0f} ms at the 90th percentile "
          f"(max {figures['ms_max']:.0f}); {figures['nav_ms_median']:.0f} ms median from the navigation's start "
          f"(max {figures['nav_ms_max']:.0f})")
    print(f"  recall {quality['recall']:.3f}, precision {quality['precision']:.3f} over notes")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
