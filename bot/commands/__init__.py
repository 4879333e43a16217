"""CLI commands, one module per package they drive."""
