"""Avtal billing service."""
