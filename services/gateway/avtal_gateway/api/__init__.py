"""Gateway api layer."""
