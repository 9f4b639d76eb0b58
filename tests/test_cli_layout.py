"""The commands on a site laid out unlike this repository (tests/roots/test-cli-layout: posts in
notes/, the taxonomy in meta/vocab.toml, the bibliography in bib/papers.bib): every path comes
from its conf.py.  And the errors for a site that is not there, has no bibliography or no posts."""

from __future__ import annotations

import http.server
import shutil
import threading
from datetime import date
from pathlib import Path

import pytest

from mlnotes.cli import extlinks
from mlnotes.cli.main import main
from mlnotes.cli.siteconf import load_site

ARXIV = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <entry>
    <published>2015-12-10T17:04:37Z</published>
    <title>Deep Residual Learning for Image Recognition</title>
    <author><name>Kaiming He</name></author>
    <arxiv:primary_category term="cs.CV"/>
  </entry>
</feed>"""


@pytest.fixture
def site(rootdir: Path, tmp_path: Path) -> Path:
    src = tmp_path / "site"
    shutil.copytree(rootdir / "test-cli-layout", src)
    return src


def test_the_site_is_read_from_its_conf_py(site: Path) -> None:
    s = load_site(site)
    assert s.taxonomy == site / "meta" / "vocab.toml"
    assert s.bibfiles == (site / "bib" / "papers.bib",)
    assert s.posts == (site / "notes" / "2025" / "adam.md",)
    assert s.posts_dir == site / "notes"
    assert (s.language, s.chinese, s.facets) == ("en", False, ("area", "tag", "paper"))
    assert s.base_url == "https://example.org/layout/"


def test_new_writes_into_notes_in_english(site: Path, capsys) -> None:
    assert main(["new", "--title", "Lion optimizer", "--field", "area=ml", "--root", str(site)]) == 0
    path = site / "notes" / str(date.today().year) / "lion-optimizer.md"
    assert f"created {path.relative_to(site).as_posix()}" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    assert "bib/papers.bib" in text and "## References" in text
    assert not (site / "posts").exists()


def test_linkcheck_reads_the_configured_bibliography_and_posts(site: Path, monkeypatch, capsys) -> None:
    seen: dict[str, list[str]] = {}

    def fake_check_all(urls, checker):
        seen.update(urls)
        return [extlinks.Result(url, True, "200", 0.0) for url in sorted(urls)]

    monkeypatch.setattr(extlinks, "check_all", fake_check_all)
    assert main(["linkcheck", "--root", str(site)]) == 0
    assert seen["https://github.com/example/adam"] == ["notes/2025/adam.md:11"]
    assert seen["https://arxiv.org/abs/1412.6980"] == ["papers.bib:kingma2014adam", "papers.bib:kingma2014adam"]
    assert "0 broken" in capsys.readouterr().out


def test_add_paper_writes_the_configured_bibliography(site: Path, monkeypatch, capsys) -> None:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(ARXIV.encode())

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("MLNOTES_ARXIV_API", f"http://127.0.0.1:{httpd.server_address[1]}/api/query")
        assert main(["add-paper", "1512.03385", "--root", str(site)]) == 0
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert "added he2015deep to bib/papers.bib" in capsys.readouterr().out
    assert "@article{he2015deep," in (site / "bib" / "papers.bib").read_text(encoding="utf-8")
    assert not (site / "refs.bib").exists()
    assert list((site / ".cache" / "mlnotes" / "add-paper").iterdir())


def test_check_passes_on_the_other_layout(site: Path, tmp_path: Path, capsys) -> None:
    assert main(["check", "--root", str(site), "--builddir", str(tmp_path / "b"), "--skip", "html",
                 "--skip", "feeds"]) == 0
    out = capsys.readouterr().out
    assert "1 published posts audited" in out and "all checks passed" in out


def test_a_missing_bibliography_is_named(site: Path, tmp_path: Path, capsys) -> None:
    (site / "bib" / "papers.bib").unlink()
    assert main(["check", "--root", str(site), "--builddir", str(tmp_path / "b")]) == 2
    assert main(["linkcheck", "--root", str(site)]) == 2
    err = capsys.readouterr().err
    assert "mlnotes check: bib/papers.bib does not exist (named in conf.py's bibtex_bibfiles)" in err
    assert f"mlnotes linkcheck: {site / 'bib' / 'papers.bib'} does not exist (named in conf.py bibtex_bibfiles)" in err
    assert "Traceback" not in err


def test_no_bibliography_configured(tmp_path: Path, capsys) -> None:
    (tmp_path / "conf.py").write_text('extensions = ["myst_parser", "mlnotes"]\n', encoding="utf-8")
    assert main(["add-paper", "1512.03385", "--root", str(tmp_path)]) == 2
    assert "bibtex_bibfiles is not set" in capsys.readouterr().err


def test_no_posts_fails(tmp_path: Path, capsys) -> None:
    (tmp_path / "conf.py").write_text('extensions = ["myst_parser", "mlnotes"]\n', encoding="utf-8")
    (tmp_path / "index.md").write_text("# Home\n", encoding="utf-8")
    assert main(["check", "--root", str(tmp_path), "--builddir", str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err
    assert "has no posts" in err and "mlnotes new" in err
    assert not (tmp_path / "b").exists()  # failed before building anything


@pytest.mark.parametrize("command", [["check"], ["linkcheck"], ["new", "--title", "x"], ["add-paper", "1512.03385"]])
def test_a_missing_conf_py_is_a_clear_error(command: list[str], tmp_path: Path, capsys) -> None:
    assert main([*command, "--root", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "not a Sphinx site (it does not exist)" in err and "mlnotes init" in err
    assert "Traceback" not in err


def test_a_post_whose_front_matter_is_broken_is_still_a_post(tmp_path: Path) -> None:
    """YAML cannot load it (an impossible date), but it says it is a post: the check must build it
    (the build names the line) instead of saying the site has no posts."""
    (tmp_path / "conf.py").write_text("", encoding="utf-8")
    post = tmp_path / "posts" / "x.md"
    post.parent.mkdir()
    post.write_text("---\nblogpost: true\ndate: 2024-13-45\n---\n\n# X\n", encoding="utf-8")
    (tmp_path / "posts" / "page.md").write_text("---\ntitle: not a post\n---\n\n# Page\n", encoding="utf-8")
    assert load_site(tmp_path).posts == (post,)


def test_warnings_name_the_configured_taxonomy_file(make_app, site: Path) -> None:
    """An unknown tag or area: the hint names meta/vocab.toml's file, not a taxonomy.toml the
    site does not have."""
    post = site / "notes" / "2025" / "adam.md"
    post.write_text(post.read_text(encoding="utf-8").replace("tags: optim", "tags: optimisers")
                    .replace("area: ml", "area: mll"), encoding="utf-8")
    app = make_app("html", srcdir=site)
    app.build()
    warnings = app.warning.getvalue()
    assert "unknown area 'mll'" in warnings and "areas are listed in vocab.toml" in warnings
    assert "alias from vocab.toml" in warnings
    assert "taxonomy.toml" not in warnings
