"""The demo: a B2B company drawn from a known model (``spec``), its data (``generate``), the truth it was
drawn from (``truth``), written as the files users have (``write``)."""

from tpnb.demo.generate import DemoData, generate
from tpnb.demo.spec import TOUCHPOINTS
from tpnb.demo.write import write_sources

__all__ = ["TOUCHPOINTS", "DemoData", "generate", "write_sources"]
