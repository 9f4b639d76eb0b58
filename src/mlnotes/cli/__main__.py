"""``python -m mlnotes.cli``: the author and CI commands."""

import sys

from mlnotes.cli.main import main

sys.exit(main())
