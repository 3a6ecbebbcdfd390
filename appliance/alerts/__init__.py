"""Alerts: conditions of the box and PBX raised and cleared once, cause codes, cost and talk-time limits."""
