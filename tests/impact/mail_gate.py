"""`celery -A tests.impact.mail_gate worker`: the project's Celery app, whose file mail backend
can be told to stall before a message, so that a test kills the worker mid-batch at a known
point instead of a random one.

Nothing changes while no file exists at $MAIL_GATE. Once it does, holding a number N, each
worker process writes N more messages and then blocks for good before the next one, after
noting the address it holds in $MAIL_GATE-held-<pid>.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends import filebased

from impact.celery import app

__all__ = ["app"]

_gate = Path(os.environ["MAIL_GATE"])
_passed = 0
_write_message = filebased.EmailBackend.write_message


def _gated_write_message(self, message) -> None:
    global _passed
    if _gate.exists():
        if _passed >= int(_gate.read_text() or 0):
            # Written whole, then renamed: the test never reads half a note.
            draft = Path(f"{_gate}-writing-{os.getpid()}")
            draft.write_text(",".join(message.to))
            draft.rename(f"{_gate}-held-{os.getpid()}")
            while True:
                time.sleep(1)
        _passed += 1
    _write_message(self, message)


filebased.EmailBackend.write_message = _gated_write_message
