"""Speech for voice mode: text prepared for listening, engines, OGG/Opus, a bounded cache."""
