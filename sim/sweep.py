"""`python -m sim.sweep`: the command lives in `sim.app.sweep`."""

import sys

from sim.app.sweep import main

if __name__ == "__main__":
    sys.exit(main())
