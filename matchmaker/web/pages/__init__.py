"""Routes, one module per page area."""
