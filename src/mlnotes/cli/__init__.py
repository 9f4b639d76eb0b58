"""The command-line tools, apart from the extension (which never imports them): the one command
``mlnotes`` (``main``; also ``python -m mlnotes.cli``) with ``init`` (``scaffold``), ``new``,
``add-paper`` (``addpaper``), ``check`` (the quality gate, ``check``; also ``python -m
mlnotes.cli.check``), ``linkcheck`` (``extlinks``) and ``check-links`` (``sitelinks``,
``htmlcheck``); ``siteconf`` reads a site's conf.py for all of them.  The top room: it may
import every room below."""
