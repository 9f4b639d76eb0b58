"""``make bench`` (part 2): what the build-time figures cost on this site (mlnotes.figures).

The synthetic corpus of :mod:`tools.bench` has no figures, so this part builds the real site — a
copy of this repository's sources — clean three ways, serially (``-j 1``, so the figure code's
time is not hidden behind parallel readers), alternating for ``--repeat`` rounds:

* **drawn**: a clean build with an empty figure cache (every ``{plot}`` and ``{diagram}`` drawn);
* **cached**: a clean build whose doctree directory starts with the figure cache of a previous
  build (nothing drawn; what every later build of an unchanged figure costs);
* **none**: a clean build of the same posts with every figure block taken out.

"drawn − cached" is the cost of drawing; "cached − none" what the figures cost when nothing is
drawn (reading, copying, writing).  Medians are shown, with the number of figures and the bytes of
the SVGs the HTML output carries.

Usage::

    python -m tools.bench_figures [--repeat 1] [--workdir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIGURE_BLOCK = re.compile(r"^(`{3,}|~{3,})\{(?:plot|diagram)\}.*?^\1[ \t]*\n", re.S | re.M)
CACHE = "mlnotes-figures"


def copy_site(dest: Path) -> None:
    """The repository's tracked and untracked (not ignored) files, as a clone would have them."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def strip_figures(site: Path) -> int:
    removed = 0
    for post in site.glob("posts/**/*.md"):
        text = post.read_text(encoding="utf-8")
        stripped, count = FIGURE_BLOCK.subn("", text)
        # {numref} to a removed figure would warn: keep the sentence, drop the reference
        stripped = re.sub(r"\{numref\}`[^`]*`", "图", stripped)
        if count:
            post.write_text(stripped, encoding="utf-8")
            removed += count
    return removed


def build(site: Path, out: Path, doctrees: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-n", "-W", "--keep-going", "-j", "1",
         "-d", str(doctrees), str(site), str(out), "--no-color"],
        cwd=site, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONHASHSEED": "0"})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench_figures: the build of {site} failed:\n{done.stderr[-3000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.bench_figures", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the three builds (default 1)")
    parser.add_argument("--workdir", type=Path, help="where the copies and outputs go (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory afterwards")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="mlnotes-bench-figures-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        site, bare = work / "site", work / "bare"
        for path in (site, bare):
            shutil.rmtree(path, ignore_errors=True)
            copy_site(path)
        count = strip_figures(bare)
        times: dict[str, list[float]] = {"drawn": [], "cached": [], "none": []}
        for round_ in range(args.repeat):
            for kind in ("drawn", "cached", "none") if round_ % 2 == 0 else ("none", "cached", "drawn"):
                out, doctrees = work / f"out-{kind}", work / f"dt-{kind}"
                kept = work / "cache"
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(doctrees, ignore_errors=True)
                if kind == "cached":
                    if not kept.is_dir():  # the first round may run "cached" before "drawn"
                        build(site, work / "out-seed", work / "dt-seed")
                        shutil.copytree(work / "dt-seed" / CACHE, kept)
                    doctrees.mkdir(parents=True)
                    shutil.copytree(kept, doctrees / CACHE)
                times[kind].append(build(bare if kind == "none" else site, out, doctrees))
                if kind == "drawn" and not kept.is_dir():
                    shutil.copytree(doctrees / CACHE, kept)
        svgs = [p for p in (work / "out-drawn" / "_images").glob("*.svg")
                if p.name.startswith(("plot-", "diagram-"))]
        median = {kind: statistics.median(values) for kind, values in times.items()}
        print(f"## Figures on this site ({count} figure blocks in {len(list(site.glob('posts/**/*.md')))} posts; "
              f"clean builds, -j 1, median of {args.repeat})\n")
        print("| build | seconds |\n|---|---:|")
        for kind, label in (("drawn", "clean, every figure drawn"), ("cached", "clean, figure cache kept"),
                            ("none", "clean, figure blocks removed")):
            print(f"| {label} | {median[kind]:.1f} |")
        print(f"\ndrawing the figures: {median['drawn'] - median['cached']:.1f} s; "
              f"the figures without drawing: {median['cached'] - median['none']:.1f} s; "
              f"{len(svgs)} SVGs, {sum(p.stat().st_size for p in svgs) / 1024:.0f} KiB in the HTML output")
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
