"""Workflow-test fixtures borrowed from the portal's: a Temporal client that is never reached."""

from tests.portal.conftest import unreachable_temporal

__all__ = ["unreachable_temporal"]
