"""Capture: the PBX link (serial, TCP, file) -> framed lines -> the raw journal. Never the store."""
