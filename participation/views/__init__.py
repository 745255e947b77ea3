"""Public and staff pages of the participation room, one module per area."""
