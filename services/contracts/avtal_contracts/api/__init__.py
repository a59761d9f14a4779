"""Contracts api layer."""
