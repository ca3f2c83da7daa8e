"""What every messenger channel shares around a Rasa turn (no messenger types here)."""
