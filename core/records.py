"""Insurance records are never deleted (SPEC 11, issue 11 item 8).

Policies, limits, declarations, debit notes, payments, notices, claims, bank agreements and
documents are kept at least five years after the contract ends: the database refuses a
DELETE, from the ORM, the admin or raw SQL. Being unconditional on DELETE only, `kept()`
also takes the DELETE privilege from the application's role and leaves it UPDATE
(core/db_roles.py). Rows a draft is still made of (a draft notice's invoices, a draft
agreement's listed buyers) stay deletable while their parent is a draft: the services
replace them as the draft is edited.
"""

import pgtrigger


def kept(name: str = "record_kept") -> pgtrigger.Protect:
    """No DELETE of this table's rows, whoever asks."""
    return pgtrigger.Protect(name=name, operation=pgtrigger.Delete)


def kept_unless_draft(
    parent_table: str, parent_column: str, name: str = "record_kept_unless_draft"
) -> pgtrigger.Trigger:
    """No DELETE of a row whose parent (`parent_column` → `parent_table`) is no longer a
    draft; a trigger can read the parent where a Protect condition cannot."""
    # The names are the models' own constants, never input.
    return pgtrigger.Trigger(
        name=name,
        operation=pgtrigger.Delete,
        when=pgtrigger.Before,
        func=(
            f"IF EXISTS (SELECT 1 FROM {parent_table} p WHERE p.id = OLD.{parent_column} "  # noqa: S608
            "AND p.status <> 'draft') THEN "
            "RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME; "
            "END IF; RETURN OLD;"
        ),
    )
