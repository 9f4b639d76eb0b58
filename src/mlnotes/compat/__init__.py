"""Patches of other packages, one module per package, each guarded by the versions it was written for.

Everything mlnotes does to another package's internals (private attributes, rebound methods,
handlers of theirs disconnected, files of theirs rewritten) lives in this folder, in the module
named after that package: :mod:`~mlnotes.compat.ablog`, :mod:`~mlnotes.compat.sphinx`,
:mod:`~mlnotes.compat.pydata` (pydata-sphinx-theme), :mod:`~mlnotes.compat.pybtex`,
:mod:`~mlnotes.compat.docutils`, :mod:`~mlnotes.compat.jieba`.  The rest of the package calls
the functions here and never reaches into another package itself (``tests/test_compat.py``
checks that).

Each module says, as data (``WRITTEN_FOR``), which versions of its package its patches were
written and checked against.  :func:`check_versions` runs when the extension is set up: an
installed version outside a range stops the build with a message that names the package, the
version, the range and what to do, instead of a patch silently misbehaving on internals that
changed.  A patch that works around an upstream bug fixed in a known release switches itself
off by detecting the fix instead (see :func:`mlnotes.compat.sphinx.stemmer_is_defined_upstream`).

This module imports nothing from the patched packages, so it stays cheap to import.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: the compat modules, each with a ``WRITTEN_FOR`` range
MODULES = ("ablog", "sphinx", "pydata", "pybtex", "docutils", "jieba")


def installed_version(distribution: str) -> str | None:
    """The installed version of *distribution*, or ``None`` when it is not installed
    (a patch of a package that is not there is never applied)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


@dataclass(frozen=True)
class VersionRange:
    """The versions of one distribution a compat module was written against.

    *specifier* is a PEP 440 specifier set (``">=0.11.12,<0.12"``)."""

    distribution: str
    specifier: str
    #: the compat module (for the message: where to look when widening the range)
    module: str = ""

    def contains(self, version: str) -> bool:
        from packaging.specifiers import SpecifierSet  # Sphinx depends on packaging
        from packaging.version import InvalidVersion, Version

        try:
            return Version(version) in SpecifierSet(self.specifier)
        except InvalidVersion:
            return False

    def problem(self, version: str | None) -> str | None:
        """Why *version* cannot be used with these patches, or ``None`` when it can
        (or is not installed, so nothing is patched)."""
        if version is None or self.contains(version):
            return None
        where = self.module or "mlnotes.compat"
        return (
            f"mlnotes patches {self.distribution} and was written for {self.distribution}{self.specifier}, "
            f"but {self.distribution} {version} is installed. Install a version in that range "
            f"(pip install '{self.distribution}{self.specifier}', or the pinned one from requirements.lock), "
            f"or check the patches in {where} against {self.distribution} {version} and widen its WRITTEN_FOR."
        )


def written_for() -> list[VersionRange]:
    """Every compat module's declared range, in :data:`MODULES` order."""
    ranges = []
    for name in MODULES:
        module = importlib.import_module(f"mlnotes.compat.{name}")
        ranges.append(module.WRITTEN_FOR)
    return ranges


def version_problems() -> list[str]:
    """One message per installed package outside the range its compat module was written for."""
    problems = []
    for wanted in written_for():
        message = wanted.problem(installed_version(wanted.distribution))
        if message is not None:
            problems.append(message)
    return problems


def check_versions(app: Sphinx | None = None) -> None:
    """Stop the build, before anything is patched, when an installed package is outside the
    range its compat module was written for.  An :class:`~sphinx.errors.ExtensionError`:
    Sphinx prints its message without a traceback."""
    problems = version_problems()
    if problems:
        from sphinx.errors import ExtensionError

        raise ExtensionError("\n".join(problems), modname="mlnotes")
