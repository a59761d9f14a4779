"""Reporting handlers layer."""
