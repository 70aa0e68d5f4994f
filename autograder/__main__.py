"""``python -m autograder ...``: the ``autograder`` command (e.g. ``python -m autograder check
chapters/03_activations/exercises.ipynb``), also from a student bundle that is not installed."""

import sys

from autograder.cli import main

sys.exit(main())
