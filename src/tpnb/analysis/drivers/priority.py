"""The priority matrix: importance against performance, split at two lines."""

from __future__ import annotations

import numpy as np

QUADRANTS = ("fix first", "keep up", "maintain", "low priority")


def assign_quadrants(importance: np.ndarray, performance: np.ndarray, x_line: float, y_line: float) -> np.ndarray:
    """The priority-matrix quadrant of each touchpoint: importance against performance, split at the lines."""
    important = importance >= x_line
    strong = performance >= y_line
    return np.where(
        important & ~strong,
        QUADRANTS[0],
        np.where(important & strong, QUADRANTS[1], np.where(strong, QUADRANTS[2], QUADRANTS[3])),
    )
