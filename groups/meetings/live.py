"""The live room's transport: what a write tells every open screen of a meeting's room.

Services call these after their change; the message leaves once the transaction commits (a
rolled-back change tells nobody). The channel layer carries it to every process's sockets
(Redis in production, memory in `make run`'s single process). A layer that cannot be reached
loses the message, never the write: screens catch up when they reconnect or reload."""

import asyncio
import logging
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

# Parts of the room's page a change can touch; a screen fetches the part again when told.
PARTS = ("impact", "reflections", "help", "questions", "review", "pulse", "next", "notes")


def room_group(group_id: int) -> str:
    """The channel layer group of a group's meeting rooms. By group, not meeting: ticking off
    last session's action changes the room of this week's meeting."""
    return f"meeting-rooms-{group_id}"


Message = dict | Callable[[], dict]


def _send(group_id: int, message: Message) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        payload = message() if callable(message) else message
        # Bounded: a Redis that stalls must not hold the request that made the change.
        async_to_sync(_group_send)(layer, room_group(group_id), payload)
    except Exception:  # a live update is a courtesy: the write has happened
        log.warning("could not reach the rooms of group %s", group_id, exc_info=True)


SEND_SECONDS = 2


async def _group_send(layer, group: str, payload: dict) -> None:
    await asyncio.wait_for(layer.group_send(group, payload), SEND_SECONDS)


def tell_room(group_id: int, message: Message) -> None:
    """Send `message` (a consumer handler's type and its data, or a function that reads them
    when it is sent) to every screen in the room, once the transaction commits."""
    transaction.on_commit(lambda: _send(group_id, message))


def part_changed(group_id: int, part: str) -> None:
    """Every screen in the group's rooms fetches `part` again (after commit)."""
    tell_room(group_id, {"type": "room.part", "part": part})


def people_left(group_id: int, user_ids: list[int]) -> None:
    """People who left the group (or were moved out of it) leave its rooms at once: their
    screens are closed, so nothing more of the group reaches them (after commit)."""
    if user_ids:
        tell_room(group_id, {"type": "room.left", "users": list(user_ids)})
