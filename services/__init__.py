"""Business operations shared by the portal, the worker's activities, the seed and the CLI."""
