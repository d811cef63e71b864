"""Rendered dashboards cached per person, invalidated by versioned scopes.

A cached page is stored with the versions of every scope it reads from, taken before it was
rendered, and served only while they are all still current: the person (`user:3`), each group
(`group:12`) and network (`network:4`) it shows, and `directory` (the list of networks and
groups). Every write through the ORM to a model that declares
`cache_scopes` bumps the versions of the scopes it touches: saves and deletes through the model
signals, `update()`, `delete()`, `bulk_create()` and `bulk_update()` through `ScopedQuerySet`.
The bump happens at once (so the rest of the same request sees its own change) and again when
the transaction commits (so a page rendered from data older than the commit is never kept
under the new version). A write to a group is a write to its network too.

Pages are cached only where the cache is shared by every process (Redis), so a write made by
a Celery worker invalidates what the web processes serve. The entries also expire after
`PAGE_CACHE_SECONDS`, which bounds how old time-relative text ("in 5 minutes") can get.

`cache_scopes` on a model names, for each scope, the path to its id in the row, for example
`("group:meeting__group", "user:user")`; a plain `"directory"` marks models whose writes change
the directory. `cache_scopes_when` ({field: value}) limits bumping to the rows that show on
pages (in-app notifications, not email ones), and an `update()` of only the fields in
`cache_scopes_ignore` bumps nothing (delivery bookkeeping).
"""

import functools
import hashlib
import re
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

VERSION_PREFIX = "pagecache:v:"
PAGE_PREFIX = "pagecache:page:"
CSRF_PLACEHOLDER = "\x00csrf\x00"
_CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{32,64})"')
_CSRF_HEADER = re.compile(r'"X-CSRFToken": "([A-Za-z0-9]{32,64})"')

# Group id -> network id. A group never moves to another network, so this only grows.
_GROUP_NETWORK: dict[int, int] = {}


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


# -- Which scopes a write touches ------------------------------------------------------------


def _scoped(model) -> tuple[str, ...] | None:
    return getattr(model, "cache_scopes", None)


def _paths(model) -> list[tuple[str, str]]:
    """(kind, path) for each scope with an id in the row: "group:meeting__group"."""
    return [tuple(entry.split(":", 1)) for entry in _scoped(model) if ":" in entry]


def _values(instance, path: str) -> list:
    """The ids at `path` (`"group"`, `"meeting__group"`, `"group_memberships__group"`) of an
    instance: read from the instance along foreign keys, queried along reverse relations."""
    *hops, last = path.split("__")
    target = instance
    try:
        for hop in hops:
            target = getattr(target, hop)
            if target is None:
                return []
            if isinstance(target, models.Manager):  # a reverse relation: many rows
                rows = type(instance)._base_manager.filter(pk=instance.pk)
                return [v for v in rows.values_list(path, flat=True) if v is not None]
    except ObjectDoesNotExist:  # the related row went first, in a cascade
        return []
    value = getattr(target, target._meta.get_field(last).attname)
    return [] if value is None else [value]


def group_networks(group_ids: Iterable[int]) -> dict[int, int]:
    """Network id by group id (one query for the ones not seen before in this process)."""
    wanted = {int(g) for g in group_ids if g is not None}
    missing = wanted - _GROUP_NETWORK.keys()
    if missing:
        Group = apps.get_model("groups", "Group")
        _GROUP_NETWORK.update(Group.objects.filter(pk__in=missing).values_list("id", "network_id"))
    return {g: _GROUP_NETWORK[g] for g in wanted if g in _GROUP_NETWORK}


def _names(model, pairs: Iterable[tuple[str, int | None]]) -> set[str]:
    names, groups = set(), set()
    for kind, value in pairs:
        if value is not None:
            names.add(f"{kind}:{value}")
            if kind == "group":
                groups.add(value)
    if "directory" in _scoped(model):
        names.add("directory")
    names.update(f"network:{n}" for n in group_networks(groups).values())
    return names


def _counts(model, instance) -> bool:
    when = getattr(model, "cache_scopes_when", None)
    return when is None or all(getattr(instance, k) == v for k, v in when.items())


def _instance_names(instance) -> set[str]:
    model = type(instance)
    if not _counts(model, instance):
        return set()
    return _names(
        model,
        [(kind, value) for kind, path in _paths(model) for value in _values(instance, path)],
    )


def _queryset_names(queryset) -> set[str]:
    model = queryset.model
    pairs = _paths(model)
    queryset = queryset.filter(**getattr(model, "cache_scopes_when", None) or {})
    if not pairs:
        return _names(model, []) if queryset.exists() else set()
    rows = queryset.order_by().values_list(*[path for _kind, path in pairs]).distinct()
    return _names(
        model,
        [(kind, value) for row in rows for (kind, _path), value in zip(pairs, row, strict=True)],
    )


# -- Versions ---------------------------------------------------------------------------------


def _set_new_versions(names: set[str]) -> None:
    if names:
        token = uuid.uuid4().hex[:12]
        cache.set_many({VERSION_PREFIX + name: token for name in names}, timeout=None)


def bump(names: set[str]) -> None:
    """New versions for these scopes now, and again once the current transaction commits."""
    if not names or not enabled():
        return
    if transaction.get_connection().in_atomic_block:
        _set_new_versions(names)
    # Outside a transaction the write is committed already and this runs at once. robust: a
    # failing cache must not stop the other after-commit work (the outbox hand-over).
    transaction.on_commit(lambda: _set_new_versions(names), robust=True)


def versions(names: Iterable[str]) -> list[str]:
    """The current version of each scope, in order. A scope with none yet (or evicted) gets a
    fresh one, which no page cached before can match."""
    names = list(names)
    keys = [VERSION_PREFIX + name for name in names]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex[:12], timeout=None)
            found[key] = cache.get(key)
    return [found[key] for key in keys]


# -- Invalidation hooks -----------------------------------------------------------------------


class ScopedQuerySet(models.QuerySet):
    """Bulk writes bump the scopes of the rows they change (see the module docstring)."""

    def update(self, **kwargs):
        if not enabled() or set(kwargs) <= getattr(self.model, "cache_scopes_ignore", set()):
            return super().update(**kwargs)
        names = _queryset_names(self)
        changed = super().update(**kwargs)
        bump(names)
        return changed

    update.alters_data = True

    def delete(self):
        if not enabled():
            return super().delete()
        names = _queryset_names(self)
        # The rows' own scopes are known already: the per-row signals of the deletion only add
        # the rows deleted with them (cascades), and everything is bumped once at the end.
        batch = _Batch(skip=self.model)
        token = _BATCH.set(batch)
        try:
            deleted = super().delete()
        finally:
            _BATCH.reset(token)
        bump(names | batch.names)
        return deleted

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        bump_rows(objs)
        return objs

    def bulk_update(self, objs, fields, *args, **kwargs):
        changed = super().bulk_update(objs, fields, *args, **kwargs)
        bump_rows(objs)
        return changed


def bump_rows(objs) -> None:
    """Make stale the pages that show these rows, as saving them would (for rows written
    without the ORM's save or bulk_create, such as the outbox's PostgreSQL insert)."""
    if enabled():
        bump(set().union(*(_instance_names(obj) for obj in objs)))


@dataclass
class _Batch:
    skip: type
    names: set[str] = field(default_factory=set)


_BATCH: ContextVar[_Batch | None] = ContextVar("pagecache_batch", default=None)


def _on_write(sender, instance, **kwargs) -> None:
    if not enabled() or kwargs.get("raw"):
        return
    fields = kwargs.get("update_fields")
    if fields and set(fields) <= getattr(sender, "cache_scopes_ignore", set()):
        return  # only bookkeeping changed (a sign-in's last_login)
    batch = _BATCH.get()
    if batch is None:
        bump(_instance_names(instance))
    elif sender is not batch.skip:
        batch.names |= _instance_names(instance)


def _on_m2m(sender, instance, **kwargs) -> None:
    changed = kwargs["action"] in ("post_add", "post_remove", "post_clear")
    if changed and enabled() and _scoped(type(instance)) is not None:
        bump(_instance_names(instance))


def connect() -> None:
    """Called from ImpactConfig.ready(). Only the scoped models get receivers: a model with a
    post_delete receiver loses Django's fast (signal-free) bulk delete."""
    for model in apps.get_models():
        if _scoped(model) is not None:
            label = model._meta.label
            post_save.connect(_on_write, sender=model, dispatch_uid=f"pagecache-save-{label}")
            post_delete.connect(_on_write, sender=model, dispatch_uid=f"pagecache-del-{label}")
    m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m")


# -- Serving pages ----------------------------------------------------------------------------


def _kept_with(scope: str, key: str, compute):
    """A value derived from the database, kept in the cache with the version of `scope` it was
    derived at, and derived again once that version moves on. compute() may return None (not
    kept)."""
    version_key = VERSION_PREFIX + scope
    found = cache.get_many([version_key, key])
    if version_key in found and key in found and found[key][0] == found[version_key]:
        return found[key][1]
    (version,) = versions([scope])  # read before the rows, as in cached_page
    value = compute()
    if value is not None:
        cache.set(key, (version, value), settings.PAGE_CACHE_SECONDS)
    return value


def person_scopes(user) -> list[str]:
    """The groups a person is in or waiting for, and their networks: what their own dashboards
    show. Kept with the person's version, which every change to those rows bumps."""

    def compute() -> list[str]:
        Group = apps.get_model("groups", "Group")
        Membership = apps.get_model("groups", "Membership")
        JoinRequest = apps.get_model("groups", "JoinRequest")
        seats = Membership.objects.active().filter(user=user).values("group_id")
        waiting = JoinRequest.objects.filter(
            user=user, status__in=JoinRequest.OPEN_STATUSES
        ).values("group_id")
        pairs = dict(
            Group.objects.filter(Q(pk__in=seats) | Q(pk__in=waiting)).values_list(
                "id", "network_id"
            )
        )
        _GROUP_NETWORK.update(pairs)
        return [
            *(f"group:{g}" for g in sorted(pairs)),
            *(f"network:{n}" for n in sorted(set(pairs.values()))),
        ]

    return _kept_with(f"user:{user.pk}", f"pagecache:person:{user.pk}", compute)


def group_scopes(pk: int) -> list[str] | None:
    """A group's page: the group and its network (None for a group that does not exist)."""
    network = group_networks([pk]).get(int(pk))
    return None if network is None else [f"group:{pk}", f"network:{network}"]


def network_scopes(slug: str) -> list[str] | None:
    """A network's page: the network (None for a slug that names none). The slug's id is
    kept with the directory's version, which every change to a network bumps."""
    Network = apps.get_model("groups", "Network")
    pk = _kept_with(
        "directory",
        f"pagecache:network-slug:{slug}",
        lambda: Network.objects.filter(slug=slug).values_list("pk", flat=True).first(),
    )
    return None if pk is None else [f"network:{pk}"]


def cached_page(scopes_for: Callable[..., list[str] | None], params: tuple[str, ...] = ()):
    """Serve a person's copy of a GET page while none of its scopes has changed.

    `scopes_for(request, **view_kwargs)` names the scopes the page reads (the person's own is
    added), or returns None when this request must not be cached. Only the query parameters in
    `params` (the ones the view reads) make separate copies; a request with any other is
    rendered and not stored, so made-up URLs cannot fill the cache. Requests with messages to
    show, and anything but a 200, are never stored."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if (
                not enabled()
                or request.method not in ("GET", "HEAD")
                or not request.user.is_authenticated
                or len(messages.get_messages(request))
                or not set(request.GET) <= set(params)
            ):
                return view(request, *args, **kwargs)
            names = scopes_for(request, *args, **kwargs)
            if names is None:
                return view(request, *args, **kwargs)
            names = sorted({f"user:{request.user.pk}", *names})
            key = PAGE_PREFIX + _page_key(request, names)
            version_keys = [VERSION_PREFIX + name for name in names]
            found = cache.get_many([*version_keys, key])
            current = (
                [found[k] for k in version_keys]
                if all(k in found for k in version_keys)
                else versions(names)
            )
            stored = found.get(key)
            if stored is not None and stored[0] == current:
                _versions, content, content_type = stored
                content = content.replace(CSRF_PLACEHOLDER, get_token(request))
                return HttpResponse(content, content_type=content_type)
            # The versions were read before the page: a write while it renders makes them old,
            # so the copy stored below is never served after that write.
            response = view(request, *args, **kwargs)
            seconds = _seconds_to_keep(response)
            if (
                seconds > 0
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
            ):
                content = _without_csrf(response.content.decode())
                cache.set(key, (current, content, response["Content-Type"]), seconds)
            return response

        return wrapper

    return decorate


def _seconds_to_keep(response: HttpResponse) -> int:
    """PAGE_CACHE_SECONDS, or less when the view set `response.cache_until`: a time at which
    the page changes by itself, with no write (the meeting it shows as next starts)."""
    seconds = settings.PAGE_CACHE_SECONDS
    until = getattr(response, "cache_until", None)
    if until is not None:
        seconds = min(seconds, int((until - timezone.now()).total_seconds()))
    return seconds


def _page_key(request: HttpRequest, names: list[str]) -> str:
    parts = [
        request.get_full_path(),
        str(request.user.pk),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
        *names,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _without_csrf(content: str) -> str:
    """The page with its CSRF token replaced by a placeholder: each request gets its own."""
    match = _CSRF_VALUE.search(content) or _CSRF_HEADER.search(content)
    return content.replace(match.group(1), CSRF_PLACEHOLDER) if match else content
