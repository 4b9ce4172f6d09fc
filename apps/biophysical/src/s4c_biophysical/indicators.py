"""The indicators a product can hold: raster names, units and quick-look stretch."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    name: str  # LAI, FAPAR, FCOVER, CCC, CWC
    title: str
    unit: str
    quicklook_range: tuple[float, float]  # physical values mapped to the grey ramp
    int16_scale: float | None = None  # fixed int16 scale; None: the run's quantification (1000)

    def scale(self, quantification: float) -> float:
        """Stored int16 value per physical unit."""
        return self.int16_scale or quantification

    @property
    def image_suffix(self) -> str:
        """Sen4CAP raster suffix: ``SLAIMONO``, ``SFAPARMONO``, ``SFCOVERMONO`` (project: ``SCCCMONO``, ``SCWCMONO``)."""
        return f"S{self.name}MONO"

    @property
    def domain_flags_suffix(self) -> str:
        """``MLAIDOMFLG`` ...: the network quality bits."""
        return f"M{self.name}DOMFLG"


# CCC and CWC carry the physically consistent units of spec l3b-biophysical.md §3 (SNAP's labels contradict its ranges).
# Their ranges (0–600 µg/cm², 0–0.55 g/cm²) do not fit int16 × 1000: they are stored × 10 and × 10000.
INDICATOR_INFO: dict[str, Indicator] = {
    "LAI": Indicator("LAI", "Leaf area index", "m2/m2", (0.0, 8.0)),
    "FAPAR": Indicator("FAPAR", "Fraction of absorbed photosynthetically active radiation", "1", (0.0, 1.0)),
    "FCOVER": Indicator("FCOVER", "Fraction of vegetation cover", "1", (0.0, 1.0)),
    "CCC": Indicator("CCC", "Canopy chlorophyll content (LAI x Cab)", "ug/cm2", (0.0, 600.0), int16_scale=10.0),
    "CWC": Indicator("CWC", "Canopy water content (LAI x Cw)", "g/cm2", (0.0, 0.55), int16_scale=10000.0),
}
