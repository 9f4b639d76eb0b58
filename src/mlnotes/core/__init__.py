"""The core: plain data and rules that know nothing of pages — the settings (``config``), the
taxonomy file (``taxonomy``), post records and the per-document store (``records``), problems
and how they are reported (``problems``), the bibliography and its checks (``bibliography``,
``bibcheck``), which posts are public and how lists split into pages (``listing``), our events
(``events``), message catalogs (``i18n``) and the version.  Imports nothing else of mlnotes."""
