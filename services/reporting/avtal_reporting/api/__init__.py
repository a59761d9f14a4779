"""Reporting api layer."""
