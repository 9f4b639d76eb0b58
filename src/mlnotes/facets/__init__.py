"""Facets: area, tag, series, paper, … — each a plugin with one interface (:mod:`.base`), found
through the ``mlnotes.facets`` entry points or registered at run time (:mod:`.registry`)."""

from mlnotes.facets.base import Facet, FacetContext, PageLinks, PostSource, Resolved, split_values
from mlnotes.facets.registry import ENTRY_POINT_GROUP, installed_facets, load_facets, register_facet

__all__ = ["ENTRY_POINT_GROUP", "Facet", "FacetContext", "PageLinks", "PostSource", "Resolved", "installed_facets",
           "load_facets", "register_facet", "split_values"]
