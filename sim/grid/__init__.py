"""Korean transmission backbone: networkx graph + numpy DC power flow (pure, no model import).

``load_default_grid()`` returns a :class:`Grid` with ``bus_of_site``, ``hosting_mw``,
``add_load``, ``apply_projects``, ``line_loading`` and ``line_ids``.
"""

from sim.grid.dcflow import DCGrid
from sim.grid.grid import Grid, load_default_grid

__all__ = ["DCGrid", "Grid", "load_default_grid"]
