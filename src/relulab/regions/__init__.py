"""Exact linear regions of piecewise-linear networks on 2-D domains and along paths."""

from .domains import Box, Slice
from .engine import Partition, count_regions, enumerate_regions

__all__ = ["Box", "Slice", "Partition", "enumerate_regions", "count_regions"]
