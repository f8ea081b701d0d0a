"""`python -m sim +scenario=NAME [key=value ...]`; the app itself is in `sim.app.cli` (an importable
module, so Hydra's joblib and submitit launchers can pickle it)."""

from sim.app.cli import cli

if __name__ == "__main__":
    cli()
