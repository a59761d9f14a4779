"""Avtal reporting service."""
