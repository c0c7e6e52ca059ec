"""The district statistics (a feature package): figures, filters, exports, pages and API, and the
maintained tallies and rollups they read. Depends on the core only; the core reaches the tallies through the
after-change path (`tallies.on_change`, registered in apps.py)."""

from . import generations
from .cached import figures_for
from .cached import on_area_figures_changed as page_cache_on_area_figures
from .cached import on_change as page_cache_on_change
from .compute import DEFINITIONS, compute, durations, headline, headline_for, headline_from_tallies
from .exports import figure_export, row_export
from .filters import StatsFilterForm, buildings_for_stats
from .served import compute_for
from .tallies import on_change, rebuild_tallies

__all__ = [
    "DEFINITIONS",
    "StatsFilterForm",
    "buildings_for_stats",
    "compute",
    "compute_for",
    "durations",
    "figure_export",
    "figures_for",
    "generations",
    "headline",
    "headline_for",
    "headline_from_tallies",
    "on_change",
    "page_cache_on_area_figures",
    "page_cache_on_change",
    "rebuild_tallies",
    "row_export",
]
