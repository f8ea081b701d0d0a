"""`python -m sim.search`: the command lives in `sim.app.search`."""

import sys

from sim.app.search import main

if __name__ == "__main__":
    sys.exit(main())
