"""Contracts store layer."""
