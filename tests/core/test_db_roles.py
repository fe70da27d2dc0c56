"""The application's database role cannot alter history (issue 11 item 1, SPEC 11).

The suite runs as the owner (it creates and migrates the test databases); these tests
connect to the same test database as the application's role, with the grants
`manage.py db_roles` makes, and attack as that role would.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import pghistory.models
import pgtrigger
import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection, transaction
from psycopg import errors, sql
from psycopg.types.json import Jsonb

from core import db_roles
from core.models import StatusChange
from limits.models import LimitDecision
from policies.models import PolicyTransition

ROOT = Path(__file__).resolve().parents[2]


def _history_tables() -> list[str]:
    return sorted(
        m._meta.db_table
        for m in apps.get_models()
        if issubclass(m, pghistory.models.Event) and m._meta.managed
    )


def _status_change_tables() -> list[str]:
    return sorted(m._meta.db_table for m in apps.get_models() if issubclass(m, StatusChange))


@pytest.fixture
def as_app(transactional_db):
    """A connection as the application's role to the test database, after `db_roles`."""
    call_command("db_roles", verbosity=0)  # as the owner: grants only (committed)
    app, password = settings.DB_ROLES["app"]
    params = connection.settings_dict
    try:
        conn = psycopg.connect(
            host=params["HOST"],
            port=params["PORT"],
            dbname=params["NAME"],
            user=app,
            password=password or None,
            autocommit=False,
        )
    except psycopg.OperationalError as exc:
        pytest.fail(f"cannot connect as {app} (scripts/test.sh creates it): {exc}")
    try:
        yield conn
    finally:
        conn.rollback()  # nothing an attempt wrote stays
        conn.close()


def _refused(conn, statement, params=None) -> type[Exception]:
    """Run one statement in a savepoint; return the error class it raised."""
    with conn.cursor() as cursor:
        cursor.execute("SAVEPOINT attempt")
        try:
            cursor.execute(statement, params)
        except psycopg.Error as exc:
            cursor.execute("ROLLBACK TO SAVEPOINT attempt")
            return type(exc)
        cursor.execute("RELEASE SAVEPOINT attempt")
    pytest.fail(f"the application role could run: {statement!r}")


def test_the_application_role_has_no_power_over_the_database(as_app):
    with as_app.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication "
            "FROM pg_roles WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (False, False, False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles "
            "WHERE rolname = current_user)"
        )
        assert cursor.fetchone()[0] == 0  # owns nothing


@pytest.mark.parametrize("kind", ["history", "status change"])
def test_history_and_status_changes_cannot_be_rewritten(as_app, kind):
    tables = _history_tables() if kind == "history" else _status_change_tables()
    assert len(tables) >= 10  # found from the models, not listed by hand
    for table in tables:
        name = sql.Identifier(table)
        for statement in (
            sql.SQL("UPDATE {} SET id = id").format(name),
            sql.SQL("DELETE FROM {}").format(name),
            sql.SQL("TRUNCATE {}").format(name),
        ):
            assert _refused(as_app, statement) is errors.InsufficientPrivilege, (table, statement)


def test_immutable_records_stay_so_even_when_pgtrigger_is_told_to_ignore(as_app):
    # pgtrigger's own bypass is a setting anyone may set: the grant is what holds.
    with as_app.cursor() as cursor:
        cursor.execute("SET LOCAL pgtrigger.ignore = '{}'")
    for model in (LimitDecision, PolicyTransition):
        table = sql.Identifier(model._meta.db_table)
        statement = sql.SQL("UPDATE {} SET id = id").format(table)
        assert _refused(as_app, statement) is errors.InsufficientPrivilege


def test_pgtrigger_ignore_does_not_work_for_the_application_role(as_app):
    """Conditional protections (an issued document) keep the UPDATE grant: the trigger
    alone holds them, so the application must not be able to tell it to step aside."""
    with as_app.cursor() as cursor:
        cursor.execute("SET LOCAL pgtrigger.ignore = '{pgtrigger_issued_document_immutable}'")
        cursor.execute("SELECT _pgtrigger_should_ignore('pgtrigger_issued_document_immutable')")
        assert cursor.fetchone()[0] is False
    with transaction.atomic(), connection.cursor() as cursor:  # the owner still may
        cursor.execute("SET LOCAL pgtrigger.ignore = '{pgtrigger_issued_document_immutable}'")
        cursor.execute("SELECT _pgtrigger_should_ignore('pgtrigger_issued_document_immutable')")
        assert cursor.fetchone()[0] is True


def test_triggers_cannot_be_switched_off(as_app):
    table = sql.Identifier(LimitDecision._meta.db_table)
    assert (
        _refused(as_app, sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(table))
        is errors.InsufficientPrivilege
    )
    assert (
        _refused(as_app, "SET session_replication_role = replica") is errors.InsufficientPrivilege
    )
    assert (
        _refused(as_app, "SET LOCAL session_replication_role = replica")
        is errors.InsufficientPrivilege
    )
    assert _refused(as_app, "CREATE TABLE evil (id int)") is errors.InsufficientPrivilege


def test_the_application_role_still_does_its_work(as_app):
    """Writing through the triggers works: a new row, its history row, an ordinary update."""
    with as_app.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_organisation (kind, name, uscc, address, region, industry, "
            "has_parent_in_same_business, created_at) "
            "VALUES ('insured', 'Role test', '91110000710930123X', '', '', '', false, now()) "
            "RETURNING id"
        )
        organisation_id = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE accounts_organisation SET name = 'Role test 2' WHERE id = %s",
            [organisation_id],
        )
        cursor.execute(
            "SELECT count(*) FROM accounts_organisationevent WHERE pgh_obj_id = %s",
            [organisation_id],
        )
        assert cursor.fetchone()[0] == 2  # pghistory's triggers wrote as this role


def test_who_acted_stays_recorded_in_the_audit_context(as_app):
    """The application may update the current context (pghistory upserts it), never the
    recorded keys of one from an earlier transaction (core migration 0001)."""
    earlier = uuid.uuid4()
    with as_app.cursor() as cursor:
        cursor.execute(
            "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) "
            "VALUES (%s, '{\"user\": 5}', now() - interval '1 hour', now())",
            [earlier],
        )
        cursor.execute(
            "UPDATE pghistory_context SET metadata = %s WHERE id = %s",
            [Jsonb({"user": 6, "url": "/x"}), earlier],
        )
        cursor.execute("SELECT metadata FROM pghistory_context WHERE id = %s", [earlier])
        assert cursor.fetchone()[0] == {"user": 5, "url": "/x"}
    assert (
        _refused(as_app, "UPDATE pghistory_context SET created_at = now()")
        is errors.InsufficientPrivilege
    )
    assert _refused(as_app, "DELETE FROM pghistory_context") is errors.InsufficientPrivilege


def test_grants_follow_the_models():
    grants = {g.table: g for g in db_roles.table_grants()}
    for table in _history_tables() + _status_change_tables():
        assert (grants[table].update, grants[table].delete) == (False, False), table
    # An unconditional Protect trigger on the model takes the privilege away too.
    assert not grants[LimitDecision._meta.db_table].update
    assert grants["claims_recovery"].update and not grants["claims_recovery"].delete
    # A conditional one (issued documents) leaves it to the trigger.
    assert grants["documents_document"].update
    # Records kept (core/records.py): no DELETE, but UPDATE stays; rows of a draft
    # (a conditional trigger) stay deletable.
    for table in ("policies_policy", "claims_claim", "documents_document", "premiums_debitnote"):
        assert grants[table].update is True and not grants[table].delete, table
    assert grants["claims_noticeinvoice"].delete and grants["claims_noticeinvoice"].update


def test_grants_run_by_the_admin_leave_pgtriggers_function_to_the_owner(transactional_db):
    """`db_roles` run by the admin on a new database creates pgtrigger's function; migrate,
    as the owner, re-creates it on every trigger install, which only its owner may: so
    the admin's run hands it to the owner (`make run` on a fresh database failed)."""
    admin, password = settings.DB_ROLES["admin"]
    params = connection.settings_dict
    connect = dict(host=params["HOST"], port=params["PORT"], dbname=params["NAME"], user=admin,
                   password=password or None)  # fmt: skip
    with (
        psycopg.connect(**connect) as conn,
        conn.transaction(force_rollback=True),
        conn.cursor() as cursor,
    ):
        # As on a new database: no function yet (the triggers go with it, rolled back).
        cursor.execute("DROP FUNCTION public._pgtrigger_should_ignore(NAME) CASCADE")
        db_roles.grant(cursor)
        cursor.execute(
            "SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = '_pgtrigger_should_ignore'"
        )
        assert cursor.fetchone()[0] == db_roles.role_name("owner")


def test_the_application_role_updates_a_record_but_cannot_delete_it(as_app):
    # Privileges are checked before any row is read: `WHERE false` is enough.
    with as_app.cursor() as cursor:
        cursor.execute("UPDATE policies_policy SET id = id WHERE false")
    statement = "DELETE FROM policies_policy WHERE false"
    assert _refused(as_app, statement) is errors.InsufficientPrivilege


@pytest.mark.django_db
def test_deploy_check_warns_when_connected_as_the_owner():
    # The suite itself runs as the owner: exactly what production must not do.
    found = run_checks(include_deployment_checks=True, databases=["default"])
    assert "core.W001" in {message.id for message in found}


@pytest.mark.django_db
def test_deploy_check_is_quiet_for_the_application_role(as_app):
    user = connection.settings_dict["USER"]
    connection.close()
    connection.settings_dict["USER"] = settings.DB_ROLES["app"][0]
    try:
        assert db_roles.check_connected_role(databases=["default"]) == []
    finally:
        connection.close()
        connection.settings_dict["USER"] = user


def _database_user(**env) -> subprocess.CompletedProcess:
    """The role a process outside pytest connects as, for the given environment."""
    clean = {
        k: v for k, v in os.environ.items() if k not in ("PYTEST_VERSION", "POSTGRES_CONNECT_AS")
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.DATABASES['default']['USER'])"],
        cwd=ROOT, env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_processes_connect_as_the_application_role_unless_told_otherwise():
    assert _database_user().stdout.strip() == settings.DB_ROLES["app"][0]
    owner = _database_user(POSTGRES_CONNECT_AS="owner")
    assert owner.stdout.strip() == settings.DB_ROLES["owner"][0]
    wrong = _database_user(POSTGRES_CONNECT_AS="root")
    assert wrong.returncode != 0
    assert "POSTGRES_CONNECT_AS" in wrong.stderr


@pytest.mark.parametrize(
    ("operation", "update", "delete"),
    [
        (pgtrigger.Delete, False, True),
        (pgtrigger.Update | pgtrigger.Delete, True, True),
        (pgtrigger.UpdateOf("status"), False, False),  # other columns: the trigger holds
    ],
)
def test_each_protected_operation_withholds_only_its_own_privilege(operation, update, delete):
    model = SimpleNamespace(
        _meta=SimpleNamespace(triggers=[pgtrigger.Protect(name="p", operation=operation)])
    )
    assert db_roles._protected(model, "UPDATE") is update
    assert db_roles._protected(model, "DELETE") is delete
