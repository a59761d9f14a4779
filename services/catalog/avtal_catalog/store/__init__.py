"""Catalog store layer."""
