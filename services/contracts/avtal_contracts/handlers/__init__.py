"""Contracts handlers layer."""
