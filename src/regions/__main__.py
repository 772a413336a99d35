"""``python -m regions``: the ``regions`` command line (:mod:`regions.cli`)."""

import sys

from .cli import main

sys.exit(main())
