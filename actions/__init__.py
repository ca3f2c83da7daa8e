"""Custom actions of the 이어모아 assistant (rasa_sdk action server)."""
