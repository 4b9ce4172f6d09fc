"""Markers table column names (spec l3-markers.md §3).

``{YYYYMMDD}_{stat}_{type}[_{pol}][_{orbit:03d}][_{tile}][_{band}]``, e.g. ``20190305_mean_AMP_VV_088``,
``20190305_stdev_NDVI``, ``20200601_mean_L2A_31UFS_B4``. A :class:`ColumnKey` is everything but the
statistic: the products that map to one key are reduced together (tiles of one date are merged).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MEAN, STDEV = "mean", "stdev"
ORDER_STATS = ("min", "max", "median", "p25", "p75")
COUNT_STATS = ("valid_pixels_cnt", "invalid_pixels_cnt")
STATS = (MEAN, STDEV, *ORDER_STATS, *COUNT_STATS)
OPTIONAL_STATS = (*ORDER_STATS, *COUNT_STATS)

_NAME = re.compile(
    r"^(?P<date>\d{8})_(?P<stat>" + "|".join(STATS) + r")_(?P<type>[A-Z0-9]+?)"
    r"(?:_(?P<pol>VV|VH|VVVH))?(?:_(?P<orbit>\d{3}))?(?:_(?P<tile>\d{2}[A-Z]{3}))?(?:_(?P<band>B\d{1,2}A?))?$"
)
SEN4CAP_PATTERN = re.compile(r"^\d{8}_(mean|stdev|min|max|median|p25|p75|valid_pixels_cnt|invalid_pixels_cnt)_[A-Z0-9]+(_[A-Z0-9]+)*$")


@dataclass(frozen=True)
class ColumnKey:
    """What a group of columns describes: date, product type and its attributes."""

    date: str  # YYYYMMDD
    type: str  # NDVI, LAI, L2A, BCK, AMP, COH, COHE, ...
    pol: str | None = None  # VV, VH (S1), VVVH (MDB2)
    orbit: int | None = None  # S1 relative orbit
    tile: str | None = None  # L2A only: Sen4CAP consumers expect it
    band: str | None = None  # L2A band, unpadded (B2, B8A, B11)

    def _suffix(self) -> list[str]:
        parts = [self.type]
        if self.pol:
            parts.append(self.pol)
        if self.orbit is not None:
            parts.append(f"{self.orbit:03d}")
        if self.tile:
            parts.append(self.tile)
        if self.band:
            parts.append(self.band)
        return parts

    def column(self, stat: str) -> str:
        return "_".join([self.date, stat, *self._suffix()])

    @property
    def token(self) -> str:
        """The key without a statistic, e.g. ``20190305_AMP_VV_088``: names the group in the table metadata."""
        return "_".join([self.date, *self._suffix()])


def parse_column(name: str) -> tuple[ColumnKey, str] | None:
    """``(key, stat)`` of a marker column name, None for other columns (``NewID``)."""
    match = _NAME.match(name)
    if match is None:
        return None
    orbit = match.group("orbit")
    key = ColumnKey(
        match.group("date"),
        match.group("type"),
        match.group("pol"),
        int(orbit) if orbit is not None else None,
        match.group("tile"),
        match.group("band"),
    )
    return key, match.group("stat")


def unpadded_band(band: str) -> str:
    """``B02`` → ``B2``, ``B8A`` → ``B8A``, ``B11`` → ``B11`` (Sen4CAP column tokens)."""
    match = re.fullmatch(r"B0*(\d{1,2}A?)", band.upper())
    if match is None:
        raise ValueError(f"not a Sentinel-2 band name: {band!r}")
    return "B" + match.group(1)


def padded_band(band: str) -> str:
    """``B2`` → ``B02``, ``B8A`` → ``B8A`` (the L2A reader's names)."""
    token = unpadded_band(band)[1:]
    return "B" + (token if token.endswith("A") or len(token) == 2 else f"0{token}")
