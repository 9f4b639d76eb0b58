"""The loaded taxonomy and facets of this build, reached through :func:`get_runtime`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment

from mlnotes.core.config import MlnotesConfig, get_config
from mlnotes.core.events import CONFIG_READY, RUNTIME_READY
from mlnotes.facets import Facet, load_facets
from mlnotes.core.taxonomy import Taxonomy, load_taxonomy

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

    def facet(self, name: str) -> Facet | None:
        return next((f for f in self.facets if f.name == name), None)


def build_runtime(app: Sphinx, config: Config) -> Runtime:
    cfg = get_config(config)
    path = Path(app.confdir) / cfg.taxonomy
    if not path.exists() and "mlnotes_taxonomy" not in config._raw_config:
        taxonomy = Taxonomy(path=str(path), digest="")  # no vocabulary: every facet value is unknown
    else:
        taxonomy = load_taxonomy(path)
    facets = load_facets(cfg.facets, taxonomy)
    shared: dict[str, object] = {}
    for facet in facets:
        facet.setup(str(app.confdir), config, shared)
    return Runtime(cfg, taxonomy, facets)


def _on_config(app: Sphinx, config: Config) -> None:
    # load (and so validate) the taxonomy and the facets before anything is read; the events
    # around it order the handlers that come before and after (see mlnotes.core.events)
    app.emit(CONFIG_READY, config)
    setattr(app, ATTR, build_runtime(app, config))
    app.emit(RUNTIME_READY, config)


def _on_builder(app: Sphinx) -> None:
    app.env.__dict__[ATTR] = getattr(app, ATTR)


def get_runtime(env: BuildEnvironment) -> Runtime:
    return env.__dict__[ATTR]


def setup_runtime(app: Sphinx) -> None:
    # after mlnotes.core.config._validate (400), which reports bad mlnotes_* settings first, and
    # after Sphinx's own config-inited handlers at the default priority (500)
    app.connect("config-inited", _on_config, priority=600)
    # before every builder-inited handler that calls get_runtime (default priority 500 and later)
    app.connect("builder-inited", _on_builder, priority=100)
