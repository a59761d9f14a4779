"""Avtal notifier service."""
