"""Gateway store layer."""
