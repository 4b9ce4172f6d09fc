"""Declaration (LPIS/GSAA) preparation: the canonical parcel table every processor joins on."""

__version__ = "0.1.0"
