"""The PDF and the EPUB as a book (``book``): parts by the facet whose book role is "parts",
chapters by date, one bibliography of the facet whose book role is "references", and the EPUB
builder that follows that order.  Imports core, facets, math and site."""
