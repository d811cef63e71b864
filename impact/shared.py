"""Parts of pages that are the same for everyone who looks, computed once per change.

The rule, in two sentences: a shared part is kept under the current versions of the scopes it
shows, and is computed again once any of them has moved on. Every write through the ORM bumps
the versions of the scopes its row belongs to, at once and again when its transaction commits.

Scopes: `group:12` is what a group is (its people, requests, metrics, meetings, narrative),
and a write to it is a write to its network too (`network:4`), since network pages sum up
their groups; `activity:12` is what its members logged (actions and measurements), and
stays in the group: the leaderboard keeps a row per group under it. So a logged action
makes the group's impact and its leaderboard row new, not the network's group table or
anyone's quick-log form.

`cache_scopes` on a model names, for each scope, the path to its id in the row, for example
`("group:meeting__group",)`; `()` for a model no shared part shows. Saves and deletes bump
through the model signals; `update()`, `delete()`, `bulk_create()` and `bulk_update()` through
`ScopedQuerySet`, the manager of every model of ours. An `update()` or save of only the fields
in `cache_scopes_ignore` bumps nothing (a sign-in's `last_login`).

Parts are kept only where the cache is shared by every process (Redis), so a write made by a
Celery worker is seen by every web process; without it (`make run`'s SQLite default) every part
is computed for each request. Entries expire after `SHARED_PARTS_SECONDS`, which only bounds
memory and what a Redis outage (which loses bumps) can leave behind.
"""

import hashlib
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe


def release_digest() -> str:
    """A digest of what renders the parts (code, templates, compiled catalogues): processes of
    two releases share the cache, and a part one release rendered must never be served by the
    other (the old group page's HTML showed after a deploy until its group next changed)."""
    digest = hashlib.sha256()
    for folder in ("impact", "groups", "metrics", "narratives", "templates", "locale"):
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".mo") and path.is_file():
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


VERSION_PREFIX = "shared:v:"
PART_PREFIX = f"shared:part:{release_digest()}:"
# A write to a group is a write to its network.
NETWORK_KIND = {"group": "network"}

T = TypeVar("T")

# Group id -> network id. A group never moves to another network, so this only grows.
_GROUP_NETWORK: dict[int, int] = {}


def enabled() -> bool:
    return settings.SHARED_PARTS_SECONDS > 0


# -- Which scopes a write touches ------------------------------------------------------------


def _scoped(model) -> tuple[str, ...] | None:
    return getattr(model, "cache_scopes", None)


def _paths(model) -> list[tuple[str, str]]:
    """(kind, path) for each scope of a row: "group:meeting__group"."""
    return [tuple(entry.split(":", 1)) for entry in _scoped(model) or ()]


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


def _group_networks(group_ids: Iterable[int]) -> dict[int, int]:
    """Network id by group id (one query for the ones not seen before in this process)."""
    wanted = {int(g) for g in group_ids if g is not None}
    missing = wanted - _GROUP_NETWORK.keys()
    if missing:
        Group = apps.get_model("groups", "Group")
        _GROUP_NETWORK.update(Group.objects.filter(pk__in=missing).values_list("id", "network_id"))
    return {g: _GROUP_NETWORK[g] for g in wanted if g in _GROUP_NETWORK}


def _names(pairs: Iterable[tuple[str, int | None]]) -> set[str]:
    names, groups = set(), {}
    for kind, value in pairs:
        if value is not None:
            names.add(f"{kind}:{value}")
            if kind in NETWORK_KIND:
                groups.setdefault(value, set()).add(NETWORK_KIND[kind])
    for group, network in _group_networks(groups).items():
        names.update(f"{kind}:{network}" for kind in groups[group])
    return names


def _instance_names(instance) -> set[str]:
    model = type(instance)
    return _names(
        [(kind, value) for kind, path in _paths(model) for value in _values(instance, path)]
    )


def _queryset_names(queryset) -> set[str]:
    model = queryset.model
    pairs = _paths(model)
    if not pairs:
        return set()
    rows = queryset.order_by().values_list(*[path for _kind, path in pairs]).distinct()
    return _names(
        [(kind, value) for row in rows for (kind, _path), value in zip(pairs, row, strict=True)]
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
    fresh one, which no part kept before can match."""
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
        _bump_rows(objs)
        return objs

    def bulk_update(self, objs, fields, *args, **kwargs):
        changed = super().bulk_update(objs, fields, *args, **kwargs)
        _bump_rows(objs)
        return changed


def _bump_rows(objs) -> None:
    """Make old the shared parts that show rows written in bulk, as saving each would."""
    if enabled():
        bump(set().union(*(_instance_names(obj) for obj in objs)))


@dataclass
class _Batch:
    skip: type
    names: set[str] = field(default_factory=set)


_BATCH: ContextVar[_Batch | None] = ContextVar("shared_batch", default=None)


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
    if changed and enabled() and _scoped(type(instance)):
        bump(_instance_names(instance))


def connect() -> None:
    """Called from ImpactConfig.ready(). Only models with scopes get receivers: a model with a
    post_delete receiver loses Django's fast (signal-free) bulk delete."""
    for model in apps.get_models():
        if _scoped(model):
            label = model._meta.label
            post_save.connect(_on_write, sender=model, dispatch_uid=f"shared-save-{label}")
            post_delete.connect(_on_write, sender=model, dispatch_uid=f"shared-del-{label}")
    m2m_changed.connect(_on_m2m, dispatch_uid="shared-m2m")


# -- Shared parts -----------------------------------------------------------------------------


def shared(scopes: list[str], key: str, compute: Callable[[], T], *, zoned: bool = False) -> T:
    """What compute() returns, computed once for everyone while none of `scopes` has changed.

    `key` names the part and everything it varies by besides the data (a variant such as
    "organizer", today's date); the language is added, and with `zoned` the viewer's time zone
    too: a part that shows a moment (a time, or the day something happened at) shows it in the
    viewer's zone. Parts are kept per release (`release_digest`). The versions are read before compute()
    reads the rows, so a write that lands meanwhile makes the kept copy old at once."""
    if not enabled():
        return compute()
    scopes = sorted(scopes)
    version_keys = [VERSION_PREFIX + name for name in scopes]
    part_key = f"{PART_PREFIX}{key}:{translation.get_language() or ''}"
    if zoned:
        part_key += f":{timezone.get_current_timezone_name()}"
    found = cache.get_many([*version_keys, part_key])
    if all(k in found for k in version_keys):
        current = [found[k] for k in version_keys]
    else:
        current = versions(scopes)
    stored = found.get(part_key)
    if stored is not None and stored[0] == current:
        return stored[1]
    value = compute()
    cache.set(part_key, (current, value), settings.SHARED_PARTS_SECONDS)
    return value


def shared_many(
    parts: dict[str, list[str]], compute: Callable[[list[str]], dict[str, T]]
) -> dict[str, T]:
    """Many parts at once, each under its own scopes ({key: scopes}): read in one round trip,
    and compute(keys) renders, in one go, only the ones missing or old (leaving out any whose
    subject is gone, which then has no part). Not kept per language
    or time zone: a part that shows words or moments says so in its key."""
    if not enabled():
        return compute(list(parts))
    names = sorted({name for scopes in parts.values() for name in scopes})
    part_keys = {key: PART_PREFIX + key for key in parts}
    found = cache.get_many([*(VERSION_PREFIX + name for name in names), *part_keys.values()])
    missing_versions = [name for name in names if VERSION_PREFIX + name not in found]
    if missing_versions:
        found.update(
            zip(
                (VERSION_PREFIX + n for n in missing_versions),
                versions(missing_versions),
                strict=True,
            )
        )
    current = {
        key: [found[VERSION_PREFIX + name] for name in sorted(scopes)]
        for key, scopes in parts.items()
    }
    values, stale = {}, []
    for key in parts:
        stored = found.get(part_keys[key])
        if stored is not None and stored[0] == current[key]:
            values[key] = stored[1]
        else:
            stale.append(key)
    if stale:
        fresh = compute(stale)  # may leave out keys that name nothing any more
        cache.set_many(
            {part_keys[key]: (current[key], value) for key, value in fresh.items()},
            settings.SHARED_PARTS_SECONDS,
        )
        values.update(fresh)
    return values


def shared_html(
    scopes: list[str], key: str, template_name: str, context: Callable[[], dict]
) -> SafeString:
    """A template rendered once for everyone who looks (see shared()), ready to insert into a
    page: `context()` is called only when the part has to be rendered again."""
    html = shared(scopes, key, lambda: render_to_string(template_name, context()))
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped when rendered
