"""Korea GPU rollout simulator."""

__version__ = "0.1.0"
