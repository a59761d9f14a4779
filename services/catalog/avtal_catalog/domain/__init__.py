"""Catalog domain layer."""
