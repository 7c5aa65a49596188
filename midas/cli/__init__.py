"""The `midas` command: serve, db, seed, demo, and each domain's sub-commands."""
