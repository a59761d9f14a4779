"""Catalog handlers layer."""
