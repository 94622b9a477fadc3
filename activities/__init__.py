"""Temporal activities: every side effect (database writes, mail, storage), each idempotent."""
