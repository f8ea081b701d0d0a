"""`python -m sim.export`: the command lives in `sim.app.export`."""

import sys

from sim.app.export import main

if __name__ == "__main__":
    sys.exit(main())
