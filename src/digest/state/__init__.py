"""State: the only SQL in digest. One module per table group, migrations applied in order."""
