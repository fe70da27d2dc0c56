"""The database roles and what the application's role may do (SPEC 11, issue 11).

Three roles, named in settings.DB_ROLES (scripts/services.sh creates them locally):

- the application's (`tci_app`): logs in, owns nothing, not a superuser. It reads every
  table and writes only what the application writes: no TRUNCATE anywhere (TRUNCATE skips
  row triggers), and no UPDATE or DELETE on the audit trail (pghistory's event tables)
  or on the records the models declare append-only (status-change rows, decisions,
  payments: an unconditional `pgtrigger.Protect`), and no DELETE of the insurance records
  kept for the retention period (`core.records.kept()`, a Protect on DELETE only: they
  keep their UPDATE). Not being the owner, it cannot drop or disable a trigger (`ALTER
  TABLE ... DISABLE TRIGGER`) nor change the schema; not being a superuser, it cannot
  `SET session_replication_role = replica`, which skips triggers.
- the owner (`tci_owner`): owns the database, the schema's tables, sequences and
  functions; runs migrations and the bulk loads that skip triggers (`manage.py
  scale_data`, the benchmarks), for which it is granted `SET` on session_replication_role.
- the admin (`postgres` locally): a superuser or a role with CREATEROLE, used only to
  create the other two and hand the database to the owner.

The grants are read from the models, so a new history or status-change table is covered
the moment it is migrated: `manage.py db_roles` applies them, and so does every
`migrate` run by the owner (the post_migrate receiver in core/apps.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass

import pghistory.models
import pgtrigger
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from psycopg import sql

from core.models import StatusChange


@dataclass(frozen=True)
class TableGrant:
    table: str
    update: bool | tuple[str, ...]  # True, False, or only these columns
    delete: bool


def role_name(kind: str) -> str:
    return settings.DB_ROLES[kind][0]


def _protected(model, operation: str) -> bool:
    """Does an unconditional Protect trigger refuse `operation` ('UPDATE', 'DELETE')?

    Each operation exactly: a Protect on DELETE only leaves UPDATE granted, and one on
    `UpdateOf(columns)` ('UPDATE OF ...') leaves the other columns to the trigger."""
    return any(
        isinstance(t, pgtrigger.Protect)
        and t.condition is None
        and operation in str(t.operation).split(" OR ")
        for t in getattr(model._meta, "triggers", ())
    )


def table_grants() -> list[TableGrant]:
    """What the application role may write, table by table, from the models."""
    grants = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        if issubclass(model, pghistory.models.Event | StatusChange):
            grants.append(TableGrant(meta.db_table, update=False, delete=False))
        elif model is pghistory.models.Context:
            # pghistory's trigger function upserts the current context (who acts) as the
            # application: it needs UPDATE of the metadata, nothing else.
            grants.append(
                TableGrant(meta.db_table, update=("metadata", "updated_at"), delete=False)
            )
        else:
            grants.append(
                TableGrant(
                    meta.db_table,
                    update=not _protected(model, "UPDATE"),
                    delete=not _protected(model, "DELETE"),
                )
            )
    return sorted(grants, key=lambda g: g.table)


def _role(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _execute(cursor, statement: sql.Composable, params: Iterable = ()) -> None:
    cursor.execute(statement.as_string(cursor.connection), list(params) or None)


def _current_role(cursor) -> tuple[str, bool, bool]:
    cursor.execute(
        "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )
    return cursor.fetchone()


def _role_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    return cursor.fetchone() is not None


def ensure_roles(cursor, *, owner_createdb: bool) -> list[str]:
    """Create or correct both roles (needs a superuser or CREATEROLE). Returns what it did."""
    done = []
    attributes = {
        "owner": "LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS",
        "app": "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
    }
    for kind, attrs in attributes.items():
        name, password = settings.DB_ROLES[kind]
        verb = "ALTER" if _role_exists(cursor, name) else "CREATE"
        if kind == "owner" and owner_createdb:
            attrs += " CREATEDB"
        elif kind == "owner" and verb == "CREATE":
            attrs += " NOCREATEDB"  # kept if a test run gave it: runs and tests share roles
        _execute(cursor, sql.SQL(f"{verb} ROLE {{}} {attrs}").format(_role(name)))
        if password:  # production: a password; locally trust auth needs none
            _execute(cursor, sql.SQL("ALTER ROLE {} PASSWORD %s").format(_role(name)), [password])
        done.append(f"{verb.lower()} role {name}")
    app, owner = role_name("app"), role_name("owner")
    # The application role must not inherit the owner's rights through membership.
    cursor.execute(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s",
        [app],
    )
    if cursor.fetchone():
        raise ImproperlyConfigured(f"Role {app} is a member of another role: revoke that first.")
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        # Bulk loads skip triggers (demo/bulk.py); PostgreSQL 15 lets a superuser hand
        # exactly that setting to the owner instead of making it a superuser.
        _execute(
            cursor,
            sql.SQL("GRANT SET ON PARAMETER session_replication_role TO {}").format(_role(owner)),
        )
    return done


def hand_to_owner(cursor) -> list[str]:
    """The database, its public schema and every object in it belong to the owner."""
    owner = role_name("owner")
    done = []
    cursor.execute(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
    )
    if cursor.fetchone()[0] != owner:
        _execute(
            cursor,
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(connection.settings_dict["NAME"]), _role(owner)
            ),
        )
        done.append("database")
    cursor.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'")
    if cursor.fetchone()[0] not in (owner, "pg_database_owner"):
        _execute(cursor, sql.SQL("ALTER SCHEMA public OWNER TO {}").format(_role(owner)))
        done.append("schema")
    # Tables first: their identity sequences follow them. Extensions' objects stay theirs.
    for kinds, what in (("rpvmf", "TABLE"), ("S", "SEQUENCE")):
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = ANY(%s) "
            "AND pg_get_userbyid(c.relowner) <> %s AND NOT EXISTS (SELECT 1 FROM pg_depend d "
            "WHERE d.objid = c.oid AND d.deptype IN ('e', 'i', 'a'))",
            [list(kinds), owner],
        )
        for (name,) in cursor.fetchall():
            _execute(
                cursor,
                sql.SQL(f"ALTER {what} {{}} OWNER TO {{}}").format(
                    sql.Identifier("public", name), _role(owner)
                ),
            )
            done.append(name)
    cursor.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
        "AND pg_get_userbyid(p.proowner) <> %s AND NOT EXISTS "
        "(SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
        [owner],
    )
    for (signature,) in cursor.fetchall():
        _execute(cursor, sql.SQL(f"ALTER FUNCTION {signature} OWNER TO {{}}").format(_role(owner)))
        done.append(signature)
    return done


def check_app_role(cursor) -> None:
    """Refuse to grant to an application role that could get round the grants."""
    app = role_name("app")
    cursor.execute(
        "SELECT rolsuper OR rolcreaterole OR rolbypassrls OR rolreplication OR rolcreatedb "
        "FROM pg_roles WHERE rolname = %s",
        [app],
    )
    row = cursor.fetchone()
    if row is None:
        raise ImproperlyConfigured(f"Role {app} does not exist: run manage.py db_roles as admin.")
    if row[0]:
        raise ImproperlyConfigured(
            f"Role {app} has rights beyond logging in: run db_roles as admin."
        )
    cursor.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = %s",
        [app],
    )
    if cursor.fetchone()[0]:
        raise ImproperlyConfigured(f"Role {app} owns tables: run manage.py db_roles as admin.")


def grant(cursor) -> int:
    """The application role's privileges, from scratch (idempotent). Returns the tables."""
    app, owner = _role(role_name("app")), _role(role_name("owner"))
    statements = [
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(app),
        sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(app),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(app),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(app),
        # Reading is never the risk here; django_migrations and views included.
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(app),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(app),
        # A table the owner creates later is readable at once, and writable once
        # `db_roles` (or the migrate that created it) has read its model.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT ON TABLES TO {}"
        ).format(owner, app),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(owner, app),
    ]
    for statement in statements:
        _execute(cursor, statement)
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    existing = {name for (name,) in cursor.fetchall()}
    grants = [g for g in table_grants() if g.table in existing]  # before the first migrate
    for g in grants:
        table = sql.Identifier(g.table)
        privileges = ["INSERT"]
        if g.update is True:
            privileges.append("UPDATE")
        if g.delete:
            privileges.append("DELETE")
        _execute(
            cursor, sql.SQL(f"GRANT {', '.join(privileges)} ON {{}} TO {{}}").format(table, app)
        )
        if isinstance(g.update, tuple):
            columns = sql.SQL(", ").join(sql.Identifier(c) for c in g.update)
            _execute(cursor, sql.SQL("GRANT UPDATE ({}) ON {} TO {}").format(columns, table, app))
    _execute(cursor, _IGNORE_FUNCTION.format(sql.Literal(role_name("app"))))
    # Run by the admin on a new database, the statement above creates the function as the
    # admin's; migrate (as the owner) re-creates it on every trigger install, so it must be
    # the owner's.
    _execute(
        cursor,
        sql.SQL("ALTER FUNCTION public._pgtrigger_should_ignore(NAME) OWNER TO {}").format(
            _role(role_name("owner"))
        ),
    )
    return len(grants)


# pgtrigger's triggers step aside for any trigger named in the setting `pgtrigger.ignore`,
# which any role may set: the application's role could update an issued document or a
# closed suspension (conditional Protect triggers, which keep their UPDATE grant). This
# is pgtrigger's function (pinned version) with that role left out. Every trigger install
# re-creates the function, so `grant()` (after every migrate) puts this one back.
_IGNORE_FUNCTION = sql.SQL("""
CREATE OR REPLACE FUNCTION public._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN AS $$
    DECLARE
        _pgtrigger_ignore TEXT[];
    BEGIN
        IF current_user = {} THEN
            RETURN FALSE;
        END IF;
        BEGIN
            SELECT INTO _pgtrigger_ignore CURRENT_SETTING('pgtrigger.ignore');
            EXCEPTION WHEN OTHERS THEN
        END;
        RETURN coalesce(trigger_name = ANY(_pgtrigger_ignore), FALSE);
    END;
$$ LANGUAGE plpgsql
""")


def apply(*, owner_createdb: bool = False) -> list[str]:
    """Everything the connected role can do: roles (admin), ownership (admin), grants."""
    done = []
    with transaction.atomic(), connection.cursor() as cursor:
        me, superuser, createrole = _current_role(cursor)
        if superuser or createrole:
            done += ensure_roles(cursor, owner_createdb=owner_createdb)
        if superuser:
            handed = hand_to_owner(cursor)
            if handed:
                done.append(f"handed {len(handed)} objects to {role_name('owner')}")
        elif me != role_name("owner"):
            raise ImproperlyConfigured(
                f"Connected as {me}: run db_roles as the admin or the owner "
                "(POSTGRES_CONNECT_AS=admin or owner)."
            )
        check_app_role(cursor)
        done.append(f"granted {role_name('app')} on {grant(cursor)} tables")
    return done


def grant_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: the owner's migrate grants on what it created (tests' databases too)."""
    if using != "default":
        return
    with connection.cursor() as cursor:
        me, superuser, _ = _current_role(cursor)
        if me != role_name("owner") and not superuser:
            return
        if not _role_exists(cursor, role_name("app")):
            return  # nothing to grant to: db_roles creates the role, then grants
        check_app_role(cursor)
        grant(cursor)


def check_connected_role(app_configs=None, databases=None, **kwargs):
    """`check --deploy --database default`: the application must not run as a role that
    could get round the grants (a superuser, a role creator, the tables' owner)."""
    if not databases or "default" not in databases:
        return []
    with connection.cursor() as cursor:
        me, superuser, createrole = _current_role(cursor)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user"
        )
        owned = cursor.fetchone()[0]
    if not (superuser or createrole or owned):
        return []
    return [
        checks.Warning(
            f"The application connects to the database as {me}, which can rewrite the audit "
            "trail or switch its triggers off.",
            hint="Connect as the application's role (POSTGRES_CONNECT_AS=app, the default); "
            "keep the owner for migrate and db_roles.",
            id="core.W001",
        )
    ]
