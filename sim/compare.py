"""`python -m sim.compare`: the command lives in `sim.app.compare`."""

import sys

from sim.app.compare import main

if __name__ == "__main__":
    sys.exit(main())
