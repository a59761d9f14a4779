"""Notifier domain layer."""
