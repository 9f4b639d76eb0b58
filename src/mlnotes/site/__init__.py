"""The HTML site made from the records: shared helpers (``base``), listing pages and the home
list (``listings``, ``render``), Atom feeds (``feeds``), the parts of a post page (``postpage``,
``prevnext``, ``related``, ``readingtime``, ``citing``), sidebars, OpenGraph, sitemap, 404,
search vocabulary, "last updated" and "edit" links, assets, and the audit record for
``mlnotes check``.  Imports core, facets, compat and read."""
