"""Avtal gateway service."""
