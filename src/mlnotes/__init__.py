"""mlnotes: a Sphinx extension for Chinese machine-learning paper-notes sites built on ablog."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the build front end (mlnotes.build) must not import Sphinx to say nothing changed
    from sphinx.application import Sphinx

from mlnotes.core.version import ENV_VERSION, __version__

STATIC = Path(__file__).parent / "static"


def _static(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC))
        app.add_css_file("mlnotes.css")
        app.add_js_file("mlnotes.js", loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    from mlnotes.compat import check_versions

    # before anything is patched: a package outside the versions its patches were written for
    # stops the build with a message that says what to do
    check_versions(app)

    from mlnotes.book.book import setup_book
    from mlnotes.compat.ablog import fresh_ablog_state, setup_ablog_compat
    from mlnotes.compat.pybtex import setup_bibplugins
    from mlnotes.compat.pydata import setup_validity
    from mlnotes.compat.sphinx import set_in_conf, setup_settle
    from mlnotes.core.config import setup_config
    from mlnotes.core.events import setup_events
    from mlnotes.core.i18n import setup_i18n
    from mlnotes.facets.runtime import setup_runtime
    from mlnotes.figures.directives import setup_figures
    from mlnotes.frontend.record import setup_buildinfo
    from mlnotes.frontend.rewarn import setup_rewarn
    from mlnotes.math.mathml import setup_mathml
    from mlnotes.read.bibcheck import setup_bibcheck
    from mlnotes.read.citeroles import setup_citeroles
    from mlnotes.read.collector import setup_collector
    from mlnotes.read.consistency import setup_consistency
    from mlnotes.read.frontmatter import setup_frontmatter
    from mlnotes.read.gcfreeze import setup_gcfreeze
    from mlnotes.read.labels import setup_labels
    from mlnotes.read.links import setup_links
    from mlnotes.read.readplan import setup_readplan
    from mlnotes.site.audit import setup_audit
    from mlnotes.site.backlinks import setup_backlinks
    from mlnotes.site.base import setup_base
    from mlnotes.site.citing import setup_citing
    from mlnotes.site.cleanup import setup_cleanup
    from mlnotes.site.copybutton import setup_copybutton
    from mlnotes.site.editlink import setup_editlink
    from mlnotes.site.lastupdated import setup_lastupdated
    from mlnotes.site.listings import setup_pages
    from mlnotes.site.notfound import setup_notfound
    from mlnotes.site.offline import setup_offline
    from mlnotes.site.opengraph import setup_opengraph
    from mlnotes.site.pagelang import setup_pagelang
    from mlnotes.site.postpage import setup_postmeta
    from mlnotes.site.prevnext import setup_prevnext
    from mlnotes.site.search import setup_search
    from mlnotes.site.sidebars import setup_sidebars
    from mlnotes.site.sitemap import setup_sitemap

    setup_events(app)  # before anything connects to our events
    # everything a site needs besides mlnotes, so ``extensions = ["mlnotes"]`` is a whole site:
    # posts are MyST Markdown, cite with sphinxcontrib-bibtex (core/config.py stops the build
    # when ``bibtex_bibfiles`` is not set) and are ablog posts.  A site that lists them too
    # loads each once, in its own order.
    app.setup_extension("myst_parser")
    app.setup_extension("sphinxcontrib.bibtex")
    app.setup_extension("ablog")
    # before ablog.config_inited (default priority 500), which sets up the Blog this empties
    app.connect("config-inited", fresh_ablog_state, priority=100)
    app.connect("builder-inited", _static)
    setup_config(app)
    setup_runtime(app, set_in_conf)
    setup_base(app)
    setup_i18n(app)
    setup_frontmatter(app)
    setup_collector(app)  # after ablog: see DocCollector.process_doc
    setup_pages(app)
    setup_consistency(app)
    setup_bibcheck(app)
    setup_bibplugins(app)
    setup_postmeta(app)
    setup_citing(app)
    setup_citeroles(app)
    setup_ablog_compat(app)
    setup_search(app)
    setup_settle(app)
    setup_sidebars(app)
    setup_validity(app)
    setup_copybutton(app)
    setup_prevnext(app)
    setup_opengraph(app)
    setup_pagelang(app)
    setup_sitemap(app)
    setup_audit(app)
    setup_cleanup(app)
    setup_links(app)
    setup_labels(app)
    setup_backlinks(app)
    setup_notfound(app)
    setup_lastupdated(app)
    setup_editlink(app)
    setup_book(app)
    setup_mathml(app)
    setup_figures(app)
    setup_offline(app)
    setup_buildinfo(app)
    setup_readplan(app)
    setup_gcfreeze(app)
    setup_rewarn(app)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
