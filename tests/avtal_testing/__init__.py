"""Test support: start the real local stack once per session and talk to it as users would."""
