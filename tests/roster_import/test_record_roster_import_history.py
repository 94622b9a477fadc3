"""Records the roster-import history that tests/workflows/test_replay.py replays against today's workflow code
(a deploy must not break an import in progress). Recorded from a real run:
`pytest -m record_history tests/roster_import/test_record_roster_import_history.py`; if a change fails here,
guard it with `workflow.patched(...)` instead of re-recording."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import roster_import_workflow_id
from tests.roster_import.files import MIXED
from tests.roster_import.support import confirm, prepare_roster, stage
from workflows.roster_import_types import ROSTER_IMPORT_WORKFLOW, RosterImportInput

HISTORY = Path(__file__).parents[1] / "workflows" / "histories" / "roster_import_batches_complete.json"


@pytest.mark.record_history
async def test_record_roster_import_batches_complete(session_factory, skipping_client, settings, demo_org):
    await prepare_roster(session_factory, demo_org)
    import_id = await stage(session_factory, demo_org, MIXED)
    await confirm(session_factory, import_id, settings.workflow_id_prefix)
    # Batches of two: three rows to apply take two batches, then the import completes and the uploader is mailed.
    handle = await skipping_client.start_workflow(
        ROSTER_IMPORT_WORKFLOW, RosterImportInput(import_id=import_id, batch_size=2),
        id=roster_import_workflow_id(import_id, settings.workflow_id_prefix), task_queue=settings.task_queue,
        result_type=int)
    assert await handle.result() == 3
    HISTORY.write_text((await handle.fetch_history()).to_json())
