"""Service layer: each function owns its transaction."""
