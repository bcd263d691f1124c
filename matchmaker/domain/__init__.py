"""Pure domain rules: standard library only, no web, storage or settings."""
