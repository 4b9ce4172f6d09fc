"""Sen4CAP L3B biophysical indicators: LAI, FAPAR, FCOVER, CCC and CWC with the SNAP S2 Toolbox neural networks."""

__version__ = "0.1.0"
