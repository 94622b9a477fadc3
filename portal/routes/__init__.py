"""One module per area of the portal; each exposes ROUTES."""
