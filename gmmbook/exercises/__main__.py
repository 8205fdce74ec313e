"""``python -m gmmbook.exercises grade NOTEBOOK...``: see :mod:`gmmbook.exercises.grading`."""

import sys

from .grading import main

sys.exit(main())
