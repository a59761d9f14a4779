"""Catalog api layer."""
