"""Where facets come from: the ``mlnotes.facets`` entry points, and facets a site's ``conf.py``
(or a test) registers at run time with :func:`register_facet`.

A plugin distribution declares::

    [project.entry-points."mlnotes.facets"]
    dataset = "my_package.facets:DatasetFacet"

A site that keeps its facet in its own tree registers it in ``conf.py``::

    from mlnotes.facets import register_facet

    def setup(app):
        register_facet(app, DatasetFacet)

Either way it is switched on by name: ``mlnotes_facets = ["area", "tag", "dataset"]``.
Registrations belong to one Sphinx application, so two builds in one process never see each
other's facets.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from sphinx.errors import ConfigError, ExtensionError

from mlnotes.core.taxonomy import Taxonomy
from mlnotes.facets.base import Facet

if TYPE_CHECKING:
    from sphinx.application import Sphinx

ENTRY_POINT_GROUP = "mlnotes.facets"
_REGISTERED = "_mlnotes_registered_facets"


def installed_facets() -> dict[str, EntryPoint]:
    """Entry points of the group, by name."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def registered_facets(app: Sphinx) -> dict[str, type[Facet]]:
    """The facets registered at run time for *app* (the one accessor)."""
    registered: dict[str, type[Facet]] = app.__dict__.setdefault(_REGISTERED, {})
    return registered


def register_facet(app: Sphinx, cls: type[Facet], name: str | None = None) -> None:
    """Make *cls* available under *name* (default ``cls.name``) for this application; call it
    from ``conf.py``'s ``setup(app)`` or an extension's ``setup``, before the configuration is
    read.  A registered facet wins over an installed one of the same name."""
    if not (isinstance(cls, type) and issubclass(cls, Facet)):
        raise ExtensionError(f"register_facet: {cls!r} is not a mlnotes Facet subclass")
    registered_facets(app)[name or cls.name] = cls


def load_facets(names: list[str] | tuple[str, ...], taxonomy: Taxonomy,
                registered: dict[str, type[Facet]] | None = None) -> list[Facet]:
    """One instance of each named facet, registered ones first, then entry points."""
    registered = registered or {}
    available = installed_facets()
    facets: list[Facet] = []
    for name in names:
        if name in registered:
            facets.append(registered[name](taxonomy))
            continue
        if name not in available:
            raise ConfigError(
                f"mlnotes_facets: unknown facet {name!r}; installed facets: "
                + ", ".join(sorted(available.keys() | registered.keys()))
                + f" (a facet is an entry point in the {ENTRY_POINT_GROUP!r} group, or registered"
                " with mlnotes.facets.register_facet in conf.py)"
            )
        cls = available[name].load()
        if not (isinstance(cls, type) and issubclass(cls, Facet)):
            raise ConfigError(f"mlnotes_facets: entry point {name!r} is {cls!r}, not a mlnotes Facet subclass")
        facets.append(cls(taxonomy))
    return facets
