"""The live meeting room's socket: it carries the room's changes to every screen and a
person's moves to the room services, and decides nothing itself. Who may join and who may do
what are the permission rules the pages use; every write is a service call."""

import json
import logging
import time
from http.cookies import SimpleCookie

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from groups.meetings import live
from groups.meetings.models import Room
from groups.meetings.services import room as room_services
from groups.permissions import Need, meeting_for_user

log = logging.getLogger(__name__)

MAX_FRAME = 4096  # characters: the largest message a client has any reason to send
CLOSE_AFTER_REFUSED = 30  # messages refused for speed before the socket is closed


class Bucket:
    """A token bucket: `rate` a second, sustained, after a burst of `burst`."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


# Any message a screen sends...
FRAMES = {"rate": 5, "burst": 15}
# ...and, fewer, the ones that change the room: each is a write and a state to every screen,
# and no person clicks faster than this.
CHANGES = {"rate": 1, "burst": 5}


def in_thread(function):
    """A service call off the event loop, in a pool thread: one busy room must not queue every
    other socket of the process behind it (Channels' default is a single shared thread)."""
    return database_sync_to_async(function, thread_sensitive=False)


def socket_language(scope: dict) -> str:
    """The language of a socket's messages: the person's choice, else their browser's (the
    language cookie, then Accept-Language), as on the pages."""
    user = scope.get("user")
    if user is not None and user.is_authenticated and user.chosen_language:
        return user.chosen_language
    headers = dict(scope.get("headers") or [])
    cookies = SimpleCookie(headers.get(b"cookie", b"").decode("latin-1"))
    wanted = (
        [cookies[settings.LANGUAGE_COOKIE_NAME].value]
        if settings.LANGUAGE_COOKIE_NAME in cookies
        else []
    )
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    wanted += [code for code, _quality in parse_accept_lang_header(accept)]
    for code in wanted:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class RoomConsumer(AsyncJsonWebsocketConsumer):
    """One screen in a meeting's room (/ws/meetings/<pk>/room/)."""

    room: Room | None = None

    async def __call__(self, scope, receive, send):
        # However the socket ends (closed, a handler that raised, a send to a socket that just
        # went away), the screen leaves the room: no one stays listed as here. Everything it
        # says is in the person's language (no middleware runs on a socket to pick it).
        try:
            with translation.override(socket_language(scope)):
                await super().__call__(scope, receive, send)
        finally:
            await self._leave()

    async def _leave(self) -> None:
        room, self.room = self.room, None
        if room is not None:
            await in_thread(room_services.room_leave)(user=self.scope["user"], room=room)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.meeting_pk = int(self.scope["url_route"]["kwargs"]["pk"])
        try:
            self.meeting, self.access = await in_thread(meeting_for_user)(
                user, self.meeting_pk, need=Need.SEE_MEMBERS
            )
        except (Http404, PermissionDenied):
            await self.close(code=4403)
            return
        self.group_name = live.room_group(self.meeting.group_id)
        # In the group before entering, so no change between the two is missed.
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        try:
            self.room = await in_thread(room_services.room_enter)(
                user=user, meeting=self.meeting, access=self.access
            )
        except ValidationError as exc:
            await self.send_json({"type": "closed", "message": " ".join(exc.messages)})
            await self.close(code=4409)
            return
        self.frames, self.changes, self.refused = Bucket(**FRAMES), Bucket(**CHANGES), 0
        self.seen = time.monotonic()  # room_enter renewed the presence
        await self.send_json(await in_thread(room_services.room_state)(self.room.pk))

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group_name", None):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)
        await self._leave()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.room is None:
            return
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.send_json({"type": "error", "message": _("Message too large.")})
            await self.close(code=1009)
            return
        if not self.frames.take():
            await self._refuse()
            return
        try:
            message = json.loads(text_data)
        except (ValueError, RecursionError):  # "[[[[..." is a RecursionError
            await self.send_json({"type": "error", "message": _("Not JSON.")})
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.send_json({"type": "error", "message": _("Send an object with a type.")})
            return
        await self.receive_json(message)

    async def _refuse(self) -> None:
        """Too fast: told so, and closed if it goes on."""
        self.refused += 1
        if self.refused >= CLOSE_AFTER_REFUSED:
            await self.close(code=4429)
        else:
            await self.send_json({"type": "error", "message": _("Slow down.")})

    async def receive_json(self, content: dict, **kwargs) -> None:
        kind = content["type"]
        if kind == "ping":  # every open screen's heartbeat (and a keepalive through proxies)
            if time.monotonic() - self.seen >= room_services.HEARTBEAT.total_seconds():
                self.seen = time.monotonic()
                await in_thread(room_services.room_seen)(user=self.scope["user"], room=self.room)
            await self.send_json({"type": "pong"})
            return
        handler = ACTIONS.get(kind)
        if handler is None:
            await self.send_json(
                {"type": "error", "message": _("Unknown type: %(type)s") % {"type": kind[:40]}}
            )
            return
        if not self.changes.take():
            await self._refuse()
            return
        try:
            await in_thread(handler)(self.scope["user"], self.room, content)
        except ValidationError as exc:
            await self.send_json({"type": "error", "message": " ".join(exc.messages)})
        except (PermissionDenied, Http404, ObjectDoesNotExist) as exc:
            await self.send_json({"type": "error", "message": str(exc) or _("Not allowed.")})
        except Exception:  # one bad message never takes the room down
            log.exception("room message failed: %r", content.get("type"))
            await self.send_json({"type": "error", "message": _("Something went wrong.")})

    # Messages from the room's group (sent by the services after commit).
    async def room_state(self, event: dict) -> None:
        if event["meeting"] != self.meeting_pk:
            return  # another of the group's meetings
        await self.send(text_data=event["text"])
        if event["closed"]:
            await self.close()

    async def room_left(self, event: dict) -> None:
        if self.scope["user"].pk not in event["users"]:
            return
        await self.send_json({"type": "closed", "message": _("You are no longer in this group.")})
        await self._leave()  # now: the others see them gone without waiting for the socket
        await self.close(code=4403)

    async def room_part(self, event: dict) -> None:
        await self.send_json({"type": "changed", "part": event["part"]})


def _int_or_none(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"user": _("Choose a member of the group.")})
    return value


# What a screen may ask of the room: the services check who may.
ACTIONS = {
    "move": lambda user, room, m: room_services.room_move(
        actor=user, room=room, step=str(m.get("step", ""))
    ),
    "timer": lambda user, room, m: room_services.room_timer(
        actor=user, room=room, action=str(m.get("action", "")), minutes=m.get("minutes")
    ),
    "ready": lambda user, room, m: room_services.room_ready(
        user=user, room=room, ready=m.get("ready") is True
    ),
    "take_over": lambda user, room, m: room_services.room_take_over(actor=user, room=room),
    "stand_in": lambda user, room, m: room_services.room_name_stand_in(
        actor=user, room=room, user_id=_int_or_none(m.get("user"))
    ),
}
