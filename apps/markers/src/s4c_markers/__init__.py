"""Sen4CAP L3 basic markers: per-parcel, per-date statistics of raster products (MDB1, MDB2)."""

__version__ = "0.1.0"
