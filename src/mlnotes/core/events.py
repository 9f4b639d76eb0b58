"""mlnotes' own Sphinx events: where our handlers must run in a given order, the step that
comes first emits an event the later ones hang on, instead of both guessing numeric priorities.

Every event is declared here (:func:`setup_events`, called first by :func:`mlnotes.setup`, since
Sphinx refuses a ``connect`` to an event it does not know yet).  Handlers receive the app first,
as for Sphinx's own events.

``mlnotes-config-ready`` (config)
    Fires inside ``config-inited``, right before the taxonomy and the facets are loaded
    (:func:`mlnotes.facets.runtime._on_config`).  For handlers that settle the files the facets
    read: the refs.bib sanitiser (:mod:`mlnotes.read.bibcheck`) swaps a broken .bib for a
    repaired copy here, so the paper facet loads the copy.

``mlnotes-runtime-ready`` (config)
    Fires inside ``config-inited`` right after the taxonomy and the facets are loaded and kept on
    the app (:func:`mlnotes.facets.runtime.get_runtime` works once the builder is set up).  For
    handlers that need the vocabulary at configuration time: the search user dictionary
    (:mod:`mlnotes.site.search`).

Order within one build: ``config-inited`` → ``mlnotes-config-ready`` → (taxonomy and facets
loaded) → ``mlnotes-runtime-ready``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

CONFIG_READY = "mlnotes-config-ready"
RUNTIME_READY = "mlnotes-runtime-ready"
EVENTS = (CONFIG_READY, RUNTIME_READY)


def setup_events(app: Sphinx) -> None:
    for name in EVENTS:
        app.add_event(name)
