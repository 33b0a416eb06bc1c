from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.state import MIGRATIONS
from digest.state.db import Database
from digest.state.ledger import Ledger

from .smtp_server import RecordingHandler, start


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    db = Database.open(tmp_path / "t.db", MIGRATIONS)
    yield Ledger(db)
    db.close()


@pytest.fixture
def smtp_server() -> Iterator[tuple[RecordingHandler, int]]:
    handler = RecordingHandler()
    controller = start(handler)
    yield handler, controller.port
    controller.stop()
