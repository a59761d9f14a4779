"""Avtal catalog service."""
