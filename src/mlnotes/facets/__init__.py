"""Facets: area, tag, series, ... — each a plugin found through the ``mlnotes.facets`` entry points."""

from mlnotes.facets.base import ENTRY_POINT_GROUP, Facet, Resolved, installed_facets, load_facets

__all__ = ["ENTRY_POINT_GROUP", "Facet", "Resolved", "installed_facets", "load_facets"]
