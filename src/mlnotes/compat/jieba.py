"""Load a jieba user dictionary once per process, however many builds run in it.

jieba keeps one process-wide tokenizer (``jieba.dt``).  Its ``load_userdict`` adds each word's
frequency to the tokenizer's running total every time it is called, and the frequency jieba
suggests for a word depends on that total: loading the same dictionary a second time (a second
build in one process: the tests, a live preview) segments text differently, so the search index
of the same site would differ from one build to the next.  jieba has no record of what it
loaded, so we keep one on the tokenizer itself (an attribute of ours in ``jieba.dt.__dict__``)
and load each dictionary content once.

Written for jieba 0.42 (the last release, from 2020).  Remove when jieba records loaded
dictionaries itself or stops accumulating the total.
"""

from __future__ import annotations

from pathlib import Path

from mlnotes.compat import VersionRange

WRITTEN_FOR = VersionRange("jieba", ">=0.42,<0.43", module=__name__)

#: the names this module relies on, checked against the installed jieba by tests/test_compat.py
PRIVATE = ("jieba.dt", "jieba.load_userdict")

#: our bookkeeping attribute on jieba's tokenizer: the digests of the dictionaries loaded
LOADED_ATTR = "_mlnotes_user_dictionaries"


def load_user_dictionary(path: str) -> None:
    """Add the user dictionary at *path* to jieba's process-wide tokenizer, once per content
    (the same words from another path are not loaded again)."""
    import hashlib

    import jieba  # present whenever Sphinx's Chinese search is

    key = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    loaded: set[str] = jieba.dt.__dict__.setdefault(LOADED_ATTR, set())
    if key not in loaded:
        jieba.load_userdict(path)
        loaded.add(key)
