"""Makes the orrery_runner package beside this folder importable, whichever directory pytest runs from."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
