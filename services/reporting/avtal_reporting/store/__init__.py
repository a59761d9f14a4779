"""Reporting store layer."""
