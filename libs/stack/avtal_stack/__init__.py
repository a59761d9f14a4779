"""Avtal local stack and CLI."""
