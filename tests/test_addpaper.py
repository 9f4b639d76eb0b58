"""`mlnotes add-paper` against a local HTTP server on 127.0.0.1 serving recorded-style answers."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import ClassVar

import pytest
from pybtex.database import parse_file

from mlnotes.cli.addpaper import AddPaperError, add_paper, parse_identifier
from mlnotes.cli.main import main

ARXIV_ANSWER = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title type="html">ArXiv Query: id_list=2103.00020</title>
  <entry>
    <id>http://arxiv.org/abs/2103.00020v1</id>
    <published>2021-02-26T17:04:37Z</published>
    <title>Learning Transferable Visual Models From Natural Language
      Supervision</title>
    <author><name>Alec Radford</name></author>
    <author><name>Jong Wook Kim</name></author>
    <arxiv:primary_category term="cs.CV" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>"""
ARXIV_EMPTY = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>ArXiv Query</title></feed>"""
CROSSREF_ANSWER = json.dumps({"status": "ok", "message": {
    "DOI": "10.1109/CVPR.2016.90", "type": "proceedings-article", "URL": "https://doi.org/10.1109/cvpr.2016.90",
    "title": ["Deep Residual Learning for Image Recognition"],
    "author": [{"given": "Kaiming", "family": "He"}, {"given": "Xiangyu", "family": "Zhang"}],
    "container-title": ["2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"],
    "issued": {"date-parts": [[2016, 6]]}, "page": "770-778",
}})

EXISTING = """% header comment

% verified somewhere
@article{zeta2020last,
  title = {Zeta},
  author = {Z, Z},
  journal = {J},
  year = {2020},
  url = {https://example.org/z}
}
"""


class Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str]]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        for prefix, (status, body) in self.routes.items():
            if self.path.startswith(prefix):
                self.send_response(status)
                self.end_headers()
                self.wfile.write(body.encode())
                return
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Handler]]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    monkeypatch.setenv("MLNOTES_ARXIV_API", base + "/api/query")
    monkeypatch.setenv("MLNOTES_CROSSREF_API", base + "/works/")
    Handler.routes = {"/api/query?id_list=2103.00020": (200, ARXIV_ANSWER),
                      "/api/query?id_list=2999.99999": (200, ARXIV_EMPTY),
                      "/works/10.1109/CVPR.2016.90": (200, CROSSREF_ANSWER),
                      "/works/10.1234/broken": (200, "{not json")}
    Handler.hits = []
    yield Handler
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def bib(tmp_path: Path) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(EXISTING, encoding="utf-8")
    return path


def test_adds_a_normalised_arxiv_entry_in_key_order(server, bib: Path, tmp_path: Path) -> None:
    key, changed = add_paper("arXiv:2103.00020v1", bib, tmp_path / "cache", today=date(2026, 11, 22))
    assert (key, changed) == ("radford2021learning", True)
    entry = parse_file(str(bib)).entries[key]
    assert entry.fields["title"] == "Learning Transferable Visual Models From Natural Language Supervision"
    assert [str(p) for p in entry.persons["author"]] == ["Radford, Alec", "Kim, Jong Wook"]
    assert entry.fields["eprint"] == "2103.00020" and entry.fields["archivePrefix"] == "arXiv"
    assert entry.fields["primaryClass"] == "cs.CV" and entry.fields["year"] == "2021"
    text = bib.read_text(encoding="utf-8")
    assert text.startswith("% header comment\n\n% Added by `mlnotes add-paper` from the arXiv API on 2026-11-22.")
    assert text.index("radford2021learning") < text.index("% verified somewhere") < text.index("zeta2020last")


def test_doi_through_crossref(server, bib: Path, tmp_path: Path) -> None:
    key, _ = add_paper("https://doi.org/10.1109/CVPR.2016.90", bib, tmp_path / "cache")
    entry = parse_file(str(bib)).entries[key]
    assert key == "he2016deep" and entry.type == "inproceedings"
    assert entry.fields["booktitle"] == "2016 IEEE Conference on Computer Vision and Pattern Recognition ({CVPR})" \
        or entry.fields["booktitle"].startswith("2016 IEEE Conference")
    assert entry.fields["pages"] == "770--778" and entry.fields["doi"] == "10.1109/CVPR.2016.90"


def test_duplicate_is_not_added_twice(server, bib: Path, tmp_path: Path) -> None:
    add_paper("2103.00020", bib, tmp_path / "cache")
    before = bib.read_text(encoding="utf-8")
    assert add_paper("2103.00020v2", bib, tmp_path / "cache") == ("radford2021learning", False)
    assert bib.read_text(encoding="utf-8") == before


def test_cache_means_no_network_on_rerun(server, bib: Path, tmp_path: Path, monkeypatch) -> None:
    add_paper("2103.00020", bib, tmp_path / "cache")
    first = bib.read_text(encoding="utf-8")
    bib.write_text(EXISTING, encoding="utf-8")
    monkeypatch.setenv("MLNOTES_ARXIV_API", "http://127.0.0.1:9/api/query")  # nothing listens there
    server.hits.clear()
    assert add_paper("2103.00020", bib, tmp_path / "cache") == ("radford2021learning", True)
    assert server.hits == []
    assert bib.read_text(encoding="utf-8").split("@article")[1] == first.split("@article")[1]


def test_network_failure_is_clear_and_leaves_bib_untouched(bib: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MLNOTES_ARXIV_API", "http://127.0.0.1:9/api/query")  # nothing listens on port 9
    assert main(["add-paper", "2103.00020", "--bib", str(bib), "--cache-dir", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "cannot reach 127.0.0.1:9" in err and "needs a network" in err and "is unchanged" in err
    assert bib.read_text(encoding="utf-8") == EXISTING


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ("2999.99999", "the arXiv API has no paper '2999.99999'"),
        ("10.1234/broken", "Crossref's answer for '10.1234/broken' is not the expected JSON"),
        ("10.1234/missing", "Crossref answered HTTP 404"),
    ],
)
def test_malformed_or_missing_answers(server, bib: Path, tmp_path: Path, identifier: str, message: str) -> None:
    with pytest.raises(AddPaperError, match=message.replace("(", r"\(")):
        add_paper(identifier, bib, tmp_path / "cache")
    assert bib.read_text(encoding="utf-8") == EXISTING


def test_identifier_forms() -> None:
    assert parse_identifier("arXiv:1706.03762v7") == ("arxiv", "1706.03762")
    assert parse_identifier("cs/0112017") == ("arxiv", "cs/0112017")
    assert parse_identifier("doi:10.1145/2939672.2939785") == ("doi", "10.1145/2939672.2939785")
    with pytest.raises(AddPaperError, match="neither an arXiv id"):
        parse_identifier("CLIP paper")
