"""``python -m mlnotes.frontend [sphinx-build arguments]``: what ``make html`` runs."""

import sys

from mlnotes.frontend.build import main

sys.exit(main())
