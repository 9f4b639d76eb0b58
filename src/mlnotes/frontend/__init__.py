"""The ``make html`` front end: ``python -m mlnotes.frontend`` (``build``) fingerprints every
input and skips sphinx-build when nothing changed since the last clean build, without importing
Sphinx; ``record`` is the extension's half (what a finished build used) and ``rewarn`` keeps a
warned document warning until it is fixed."""
