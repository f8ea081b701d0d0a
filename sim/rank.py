"""`python -m sim.rank`: the command lives in `sim.app.rank`."""

import sys

from sim.app.rank import main

if __name__ == "__main__":
    sys.exit(main())
