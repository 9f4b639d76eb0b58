"""Reading posts: the one front-matter reader (``frontmatter``), citation roles in their
footnote form (``citeroles``), the environment collector that turns each read document into
its record and per-document data (``collector``, with ``posts``, ``excerpts`` and the pure
``measures``), checks once everything is read (``consistency``), .bib files pybtex cannot
parse (``bibcheck``), documents linking to an added or removed one (``links``),
and how the read is scheduled (``readplan``, ``gcfreeze``).
Imports core, facets and compat."""
