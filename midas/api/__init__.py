"""The JSON API under /api/v1: assembly of each domain's router, and the error envelope."""
