"""Avtal contracts service."""
