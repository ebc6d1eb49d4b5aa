"""Seed one pool with many realistic users fast: one shared hash, COPY or batched inserts.

Per-user password hashing would take days at a million users (PBKDF2 costs ~0.25 s), so
every seeded user shares one precomputed hash and SRP verifier. The indexed key and alias
columns are computed by ``PoolUser.refresh_keys()`` itself, run on a light stand-in object
instead of a model instance, and a sample is re-checked through the ORM after the load.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Field, Model

from django_cognito.models import ALIAS_COLUMNS, SEARCH_COLUMNS, PoolUser, UserPool, UserStatus
from django_cognito.services import pools

SEED = 1_000_003
# Part of the pool's name: a database seeded by an older layout is recognised and redone.
LAYOUT = "v2"
PASSWORD = "Bench-Passw0rd!"
BATCH = 50_000
SIGNUP_PREFIX = "signup-"
KEY_COLUMNS = ("username_key", *SEARCH_COLUMNS.values(), *ALIAS_COLUMNS.values())
EPOCH = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
SPAN = dt.timedelta(days=4 * 365)

GIVEN_NAMES = """
James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty
Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua
Michelle Kenneth Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald
Stephanie Edward Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy
Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott
Nicole Brandon Helen Benjamin Samantha Samuel Katherine Gregory Christine Alexander Debra
Frank Rachel Patrick Carolyn Raymond Janet Jack Catherine Dennis Maria Jerry Heather Tyler
Diane Aaron Ruth Jose Julie Adam Olivia Nathan Joyce Henry Virginia Zachary Victoria Douglas
Kelly Peter Lauren Kyle Christina Noah Joan Ethan Evelyn Jeremy Judith Walter Megan Christian
Andrea Keith Cheryl Roger Hannah Terry Jacqueline Austin Martha Sean Gloria Gerald Teresa
Carl Ann Harold Sara Dylan Madison Arthur Frances Lawrence Kathryn Jordan Janice Jesse Jean
Bryan Abigail Billy Alice Bruce Judy Gabriel Sophia Joe Grace Logan Denise Alan Amber Juan
Doris Albert Marilyn Willie Danielle Elijah Beverly Wayne Isabella Randy Theresa Vincent
Diana Mason Natalie Roy Brittany Ralph Charlotte Bobby Marie Russell Kayla Bradley Alexis
Philip Lori Eugene Yuki Hiroshi Wei Mei Jun Ananya Arjun Priya Rahul Fatima Omar Aisha Ali
Lucas Sofia Mateo Valentina Leon Mia Luca Giulia Lars Ingrid Sven Astrid Jonas Lea Felix Lina
Mohammed Amir Leila Dmitri Olga Ivan Natasha Pierre Camille Louis Chloe Hugo Manon Jonah Joel
""".split()

FAMILY_NAMES = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo
Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell
Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson
Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera
Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez
McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns
Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt
Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice
Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn
Kumar Singh Sharma Tanaka Suzuki Sato Wang Li Zhang Liu Yamamoto Muller Schneider Fischer
Weber Becker Rossi Russo Ferrari Esposito Dubois Durand Lefebvre Moreau Novak Horvat Kowalski
Nowak Ivanov Petrov Larsen Hansen Johansson Andersson Nielsen Jensen OBrien Murphy Byrne
""".split()

DOMAINS = [("gmail.com", 30), ("yahoo.com", 9), ("outlook.com", 9), ("hotmail.com", 7),
           ("icloud.com", 6), ("proton.me", 2), ("aol.com", 2), ("gmx.de", 2), ("web.de", 1),
           ("mail.ru", 1), ("yandex.ru", 1), ("qq.com", 1), ("example.org", 1),
           ("acme-corp.com", 1), ("initech.io", 1), ("globex.net", 1)]


@dataclass
class SeedInfo:
    """What :func:`ensure_seeded` did: the pool, whether it reused a seed, and how long."""

    pool: UserPool
    users: int
    reused: bool
    seconds: float
    stale_signups_removed: int = 0


def _zipf(names: Sequence[str], exponent: float = 0.8) -> list[float]:
    """Cumulative weights that make early names common and late names rare."""
    total, cumulative = 0.0, []
    for rank in range(len(names)):
        total += 1 / (rank + 1) ** exponent
        cumulative.append(total)
    return cumulative


class _KeySource:
    """The state ``PoolUser.refresh_keys()`` reads and writes, without a model's cost."""

    def __init__(self, pool: UserPool, username: str, attributes: dict[str, str]) -> None:
        self.pool = pool
        self.username = username
        self.attributes = attributes

    def is_verified(self, name: str) -> bool:
        return PoolUser.is_verified(self, name)  # type: ignore[arg-type]

    def keys(self) -> dict[str, Any]:
        PoolUser.refresh_keys(self)  # type: ignore[arg-type]
        return {column: getattr(self, column) for column in KEY_COLUMNS}


def credentials(pool: UserPool) -> dict[str, Any]:
    """The fields ``set_password`` fills (hash, SRP salt and verifier), computed once.

    Every seeded user shares them, so seeded rows are as wide as real ones and reads pay
    for the same columns (the verifier is decrypted on every fetch), but only the password
    hash verifies for every user: the SRP verifier binds one username.
    """
    from django_cognito.services import passwords

    template = PoolUser(pool=pool, username="seed-template", attributes={})
    names = [f.attname for f in PoolUser._meta.concrete_fields]
    before = {name: getattr(template, name) for name in names}
    passwords.set_password(template, PASSWORD, check_policy_first=False)
    return {name: getattr(template, name) for name in names
            if getattr(template, name) != before[name]}


def people(pool: UserPool, count: int, first_id: int, first_django_id: int,
           secrets: dict[str, Any], unusable: str
           ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Deterministic (Django user, pool user) field values, keyed by attname."""
    rng = random.Random(SEED)  # noqa: S311  (reproducible test data, not a secret)
    given_cum, family_cum = _zipf(GIVEN_NAMES), _zipf(FAMILY_NAMES)
    domains = [d for d, _ in DOMAINS]
    domain_cum = list(itertools.accumulate(weight for _, weight in DOMAINS))
    step = SPAN / max(count, 1)
    for n in range(count):
        given = rng.choices(GIVEN_NAMES, cum_weights=given_cum)[0]
        family = rng.choices(FAMILY_NAMES, cum_weights=family_cum)[0]
        domain = rng.choices(domains, cum_weights=domain_cum)[0]
        roll = rng.random()
        number = first_id + n
        if roll < 0.4:
            local = f"{given}.{family}{number}"
        elif roll < 0.65:
            local = f"{given[0]}{family}{number}"
        elif roll < 0.85:
            local = f"{family}.{given}{number}"
        else:
            local = f"{given}{number}"
        email = f"{local}@{domain}"
        if rng.random() < 0.85:
            email = email.lower()
        username = (f"{given}{family[:3]}{number}" if roll < 0.5
                    else f"{given.lower()}_{family.lower()}{number}")
        status = (UserStatus.CONFIRMED if roll < 0.95 else
                  UserStatus.UNCONFIRMED if roll < 0.98 else UserStatus.FORCE_CHANGE_PASSWORD)
        verified = status != UserStatus.UNCONFIRMED and rng.random() < 0.92
        attributes = {"email": email, "email_verified": "true" if verified else "false",
                      "given_name": given, "family_name": family, "name": f"{given} {family}"}
        if rng.random() < 0.5:
            attributes["phone_number"] = f"+1{rng.randrange(2_000_000_000, 9_999_999_999)}"
            attributes["phone_number_verified"] = "true" if rng.random() < 0.7 else "false"
        enabled = rng.random() >= 0.01
        created = EPOCH + step * n
        sub = uuid.UUID(int=rng.getrandbits(128), version=4)
        django_id = first_django_id + n
        django_user = {"id": django_id, "password": unusable, "last_login": None,
                       "is_superuser": False, "username": str(sub), "first_name": given,
                       "last_name": family, "email": email, "is_staff": False,
                       "is_active": enabled, "date_joined": created}
        pool_user = {**secrets, "id": number, "pool_id": pool.pk, "username": username,
                     "sub": sub, "status": str(status), "enabled": enabled,
                     "attributes": attributes, "password_set_at": created,
                     "temporary_password_expires_at": None, "user_id": django_id,
                     "created_at": created, "modified_at": created,
                     **_KeySource(pool, username, attributes).keys()}
        yield django_user, pool_user


def _builtin_conversion(field: Field[Any, Any]) -> bool:
    """Whether the field prepares values as Django's own field of its internal type does."""
    return all(getattr(type(field), name).__module__.startswith("django.")
               for name in ("get_prep_value", "get_db_prep_value", "get_db_prep_save"))


def _converter(field: Field[Any, Any]) -> Callable[[Any], Any]:
    """How one field's Python value becomes a driver value.

    Django's own field types take a cheap equivalent of ``get_db_prep_save``; a custom one
    (an encrypted column) goes through it, memoised because seeded users share its value.
    """
    if not _builtin_conversion(field):
        memo: dict[Any, Any] = {}

        def prepare(value: Any) -> Any:
            try:
                return memo[value]
            except KeyError:
                prepared = field.get_db_prep_save(value, connection)
                if len(memo) < 1024:
                    memo[value] = prepared
                return prepared
            except TypeError:  # unhashable
                return field.get_db_prep_save(value, connection)
        return prepare
    kind = field.get_internal_type()
    if kind == "JSONField":
        return json.dumps
    if connection.vendor == "sqlite":
        if kind == "DateTimeField":
            adapt = connection.ops.adapt_datetimefield_value
            return lambda value: None if value is None else adapt(value)
        if kind == "UUIDField":
            return lambda value: value.hex
    return lambda value: value


class _Table:
    """Column order, defaults and converters of one model's table."""

    def __init__(self, model: type[Model]) -> None:
        self.name = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.columns = [str(f.column) for f in self.fields]
        self.converters = [_converter(f) for f in self.fields]
        self.defaults = {f.attname: f.get_default() for f in self.fields}

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(convert(values[f.attname] if f.attname in values
                             else self.defaults[f.attname])
                     for f, convert in zip(self.fields, self.converters, strict=True))

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quote(self.name)} ({columns}) FROM STDIN") as cp:
                    for row in rows:
                        cp.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                # Table and column names come from the model's metadata, never from input.
                insert = f"INSERT INTO {quote(self.name)} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(insert, rows)


def _next_id(model: type[Model]) -> int:
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(last or 0) + 1


def pool_name(count: int) -> str:
    return f"bench-{LAYOUT}-{count}"


def find_pool(count: int) -> UserPool | None:
    """The pool a previous run seeded with ``count`` users, if any."""
    return UserPool.objects.filter(name=pool_name(count)).order_by("created_at").first()


def remove_signups(pool: UserPool) -> int:
    """Delete users a sign-up measurement created (and their Django users)."""
    from django_cognito.services.users import delete_django_users

    users = PoolUser.objects.filter(pool=pool, username_key__startswith=SIGNUP_PREFIX)
    with transaction.atomic():
        delete_django_users(users)
        deleted, _ = users.delete()
    return deleted


def seed(count: int, progress: Callable[[str], None] = print) -> UserPool:
    """Create the bench pool and ``count`` users in one transaction (all or nothing)."""
    Django = get_user_model()
    unusable = make_password(None)
    users_table, django_table = _Table(PoolUser), _Table(Django)
    started = time.perf_counter()
    with transaction.atomic():
        pool = pools.create_user_pool(pool_name(count), alias_attributes=["email"],
                                      case_sensitive=False, auto_verified_attributes=["email"])
        pools.create_user_pool_client(pool, "bench")
        first_id, first_django_id = _next_id(PoolUser), _next_id(Django)
        secrets = credentials(pool)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -1000000")
        else:
            # A server run with synchronous_commit=off (scripts/pg.sh) would return from this
            # commit before its WAL is flushed; until then VACUUM may not set hint bits, so
            # it would leave every page short of all-visible and index-only scans (bounded
            # counts) would visit the heap, unlike on a server autovacuum has been through.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO on")
        batch_users: list[tuple[Any, ...]] = []
        batch_django: list[tuple[Any, ...]] = []
        done = 0
        for django_user, pool_user in people(pool, count, first_id, first_django_id,
                                             secrets, unusable):
            batch_django.append(django_table.row(django_user))
            batch_users.append(users_table.row(pool_user))
            if len(batch_users) == BATCH:
                django_table.insert(batch_django)
                users_table.insert(batch_users)
                done += len(batch_users)
                batch_users, batch_django = [], []
                progress(f"seed: {done:,}/{count:,} users, "
                         f"{time.perf_counter() - started:.0f} s")
        if batch_users:
            django_table.insert(batch_django)
            users_table.insert(batch_users)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [PoolUser, Django]):
                cursor.execute(sql)
    if connection.vendor == "sqlite":
        connection.close()  # the next connection gets SQLite's default cache again
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(users_table.name)}")
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(django_table.name)}")
    progress(f"seed: {count:,} users in {time.perf_counter() - started:.1f} s")
    return pool


def check_keys(pool: UserPool, samples: int = 2000) -> None:
    """Re-derive the key columns of seeded users through the model; any difference aborts."""
    users = PoolUser.objects.filter(pool=pool).order_by("id").values_list("id", flat=True)
    first, last = users.first(), users.last()
    if first is None or last is None:
        return
    step = max((last - first) // samples, 1)
    ids = list(range(first, last + 1, step))
    for user in PoolUser.objects.filter(pool=pool, id__in=ids).select_related("pool"):
        stored = {column: getattr(user, column) for column in KEY_COLUMNS}
        user.refresh_keys()
        derived = {column: getattr(user, column) for column in KEY_COLUMNS}
        if stored != derived:
            raise AssertionError(f"seeded keys of user {user.pk} differ: {stored} != {derived}")


def foreign_data(count: int) -> bool:
    """Whether the database holds users but not this layout's pool of ``count`` users.

    Plain SQL on the two tables, so it answers before migrations run: a stale database is
    recreated instead of being migrated first (rebuilding a million-row SQLite table).
    """
    users, pools_table = PoolUser._meta.db_table, UserPool._meta.db_table
    if users not in connection.introspection.table_names():
        return False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(pools_table)} WHERE name = %s",  # noqa: S608
                       [pool_name(count)])
        ours = cursor.fetchone()[0]
        cursor.execute(f"SELECT 1 FROM {quote(users)} LIMIT 1")  # noqa: S608
        has_users = cursor.fetchone() is not None
    return has_users and ours != 1


def ensure_seeded(count: int, progress: Callable[[str], None] = print) -> SeedInfo | None:
    """Reuse a complete seed of ``count`` users or create one; ``None`` if the DB needs a reset."""
    started = time.perf_counter()
    pool = find_pool(count)
    if pool is not None:
        removed = remove_signups(pool)
        existing = PoolUser.objects.filter(pool=pool).count()
        if existing != count or UserPool.objects.count() != 1:
            return None
        return SeedInfo(pool, count, True, time.perf_counter() - started, removed)
    if PoolUser.objects.exists():
        return None
    pool = seed(count, progress)
    check_keys(pool)
    return SeedInfo(pool, count, False, time.perf_counter() - started)
