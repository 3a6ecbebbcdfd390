"""Callbox: call-accounting appliance firmware."""

__version__ = "0.1.0"
