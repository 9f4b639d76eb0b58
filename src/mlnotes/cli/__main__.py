"""``python -m mlnotes.cli``: the ``mlnotes`` command (init, new, add-paper, check, linkcheck)."""

import sys

from mlnotes.cli.main import main

sys.exit(main())
