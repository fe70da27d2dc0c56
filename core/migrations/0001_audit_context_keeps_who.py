"""The audit context, once written, keeps who acted (issue 11, SPEC 11).

pghistory's trigger function upserts the current context row as the application's role,
so that role must be able to UPDATE `pghistory_context` (core/db_roles.py grants only the
metadata). Without this trigger that grant would let it rewrite who made any earlier
change. A context row from an earlier transaction may gain keys, but every key it has
keeps its value; within the transaction that created it, it changes as pghistory needs.
"""

from django.db import migrations

SQL = """
CREATE FUNCTION tci_context_keeps_recorded_keys() RETURNS trigger AS $$
BEGIN
    IF OLD.created_at < now() THEN
        NEW.metadata := NEW.metadata || OLD.metadata;  -- on the right, OLD's values win
        NEW.created_at := OLD.created_at;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tci_context_keeps_recorded_keys BEFORE UPDATE ON pghistory_context
    FOR EACH ROW EXECUTE FUNCTION tci_context_keeps_recorded_keys();
"""

REVERSE = """
DROP TRIGGER tci_context_keeps_recorded_keys ON pghistory_context;
DROP FUNCTION tci_context_keeps_recorded_keys();
"""


class Migration(migrations.Migration):
    dependencies = [("pghistory", "0007_auto_20250421_0444")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
