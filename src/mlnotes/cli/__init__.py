"""The command-line tools, apart from the extension (which never imports them):
``python -m mlnotes.cli`` (``main``: new, add-paper, linkcheck, check-links) and the quality
gate ``python -m mlnotes.cli.check``, with their helpers (``addpaper``, ``extlinks``,
``sitelinks``, ``htmlcheck``)."""
