"""이어모아 messenger channel core: models, services and settings."""
