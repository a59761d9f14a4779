"""Gateway domain layer."""
