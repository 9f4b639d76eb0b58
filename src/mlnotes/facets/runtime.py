"""The loaded taxonomy and facets of this build, reached through :func:`get_runtime`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment

from mlnotes.core.config import MlnotesConfig, get_config
from mlnotes.core.events import CONFIG_READY, RUNTIME_READY
from mlnotes.core.taxonomy import Taxonomy, load_taxonomy
from mlnotes.facets.base import Facet, FacetContext
from mlnotes.facets.registry import load_facets, registered_facets

ATTR = "_mlnotes_runtime"


@dataclass
class Runtime:
    config: MlnotesConfig
    taxonomy: Taxonomy
    facets: list[Facet]

    @property
    def digest(self) -> str:
        """Taxonomy plus every facet's own vocabulary (refs.bib for papers)."""
        return "|".join([self.taxonomy.digest, *(f"{f.name}:{f.digest()}" for f in self.facets)])

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        """Never pickled with the environment: the runtime is rebuilt from conf.py and
        taxonomy.toml by every build (and put on the environment at builder-inited), so the
        pickled environment holds no facet objects (a facet class defined in a site's conf.py
        could not be pickled) and parallel readers do not ship them back."""
        return (_not_pickled, ())

    def facet(self, name: str) -> Facet | None:
        return next((f for f in self.facets if f.name == name), None)

    def with_role(self, role: str) -> Facet | None:
        """The first facet that plays *role* in the book ("parts", "references")."""
        return next((f for f in self.facets if f.book_role == role), None)

    def relating(self) -> list[Facet]:
        """The facets whose shared terms make two notes related."""
        return [f for f in self.facets if f.relates]


def _not_pickled() -> None:
    return None


#: whether a setting was given in ``conf.py`` (not left at its default).  Sphinx has no public
#: answer; the patch that gives one is :func:`mlnotes.compat.sphinx.set_in_conf`, handed in by
#: :func:`mlnotes.setup` because facets sit below compat.
SetInConf = Callable[[Config, str], bool]


def build_runtime(app: Sphinx, config: Config, set_in_conf: SetInConf) -> Runtime:
    cfg = get_config(config)
    path = Path(app.confdir) / cfg.taxonomy
    if not path.exists() and not set_in_conf(config, "mlnotes_taxonomy"):
        # no vocabulary: every facet value is unknown
        taxonomy = Taxonomy(path=str(path), digest="", language=config.language)
    else:
        taxonomy = load_taxonomy(path, config.language)  # terms show the name in the site's language
    facets = load_facets(cfg.facets, taxonomy, registered_facets(app))
    context = FacetContext(confdir=str(app.confdir), config=config, shared={}, peers=tuple(facets))
    for facet in facets:
        facet.peers = context.peers
        facet.setup(context)
    for facet in facets:
        facet.terms()  # a facet reads its vocabulary now, so a bad table stops the build at once
    return Runtime(cfg, taxonomy, facets)


def _on_config(app: Sphinx, config: Config, set_in_conf: SetInConf) -> None:
    # load (and so validate) the taxonomy and the facets before anything is read; the events
    # around it order the handlers that come before and after (see mlnotes.core.events)
    app.emit(CONFIG_READY, config)
    setattr(app, ATTR, build_runtime(app, config, set_in_conf))
    app.emit(RUNTIME_READY, config)


def _on_builder(app: Sphinx) -> None:
    app.env.__dict__[ATTR] = getattr(app, ATTR)


def get_runtime(env: BuildEnvironment) -> Runtime:
    """The runtime of the build *env* belongs to (from builder-inited on)."""
    runtime: Runtime = env.__dict__[ATTR]
    return runtime


def app_runtime(app: Sphinx) -> Runtime:
    """The runtime of *app*, from config-inited on (before the environment exists)."""
    runtime: Runtime = getattr(app, ATTR)
    return runtime


def setup_runtime(app: Sphinx, set_in_conf: SetInConf) -> None:
    # after mlnotes.core.config._validate (400), which reports bad mlnotes_* settings first, and
    # after Sphinx's own config-inited handlers at the default priority (500)
    app.connect("config-inited", partial(_on_config, set_in_conf=set_in_conf), priority=600)
    # before every builder-inited handler that calls get_runtime (default priority 500 and later)
    app.connect("builder-inited", _on_builder, priority=100)
