"""Notifier handlers layer."""
