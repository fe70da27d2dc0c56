"""The agreement reference sequence, and the database's refusal of an indemnity paid to
anyone but the bank of the agreement in force covering the buyer (SPEC 8)."""

from django.db import migrations

PAYMENT_GUARD = """
CREATE OR REPLACE FUNCTION banks_payment_to_assignee() RETURNS trigger AS $$
DECLARE
    claimed record;
    assignee record;
BEGIN
    SELECT policy_id, buyer_id INTO claimed FROM claims_claim WHERE id = NEW.claim_id;
    -- FOR SHARE: a termination of the agreement waits for this payment, and the other way.
    SELECT agreement.reference, agreement.bank_id,
           btrim(concat_ws(' ', agreement.account_bank, agreement.account_name,
                           agreement.account_number)) AS account
      INTO assignee
      FROM banks_agreementbuyer covered
      JOIN banks_assignmentagreement agreement ON agreement.id = covered.agreement_id
     WHERE covered.policy_id = claimed.policy_id AND covered.buyer_id = claimed.buyer_id
       AND covered.active
       FOR SHARE OF agreement;
    IF FOUND AND (NEW.payee <> 'bank' OR NEW.payee_organisation_id <> assignee.bank_id
                  OR NEW.bank_account <> assignee.account) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            CONSTRAINT = 'payment_to_assignee',
            MESSAGE = format('Assignment agreement %s is in force on this buyer: the '
                             'indemnity is paid to its bank''s account only.', assignee.reference);
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER payment_to_assignee
    BEFORE INSERT OR UPDATE ON claims_indemnitypayment
    FOR EACH ROW EXECUTE FUNCTION banks_payment_to_assignee();
"""

DROP_PAYMENT_GUARD = """
DROP TRIGGER IF EXISTS payment_to_assignee ON claims_indemnitypayment;
DROP FUNCTION IF EXISTS banks_payment_to_assignee();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("banks", "0001_initial"),
        ("claims", "0003_claims_review"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS banks_agreement_seq START 1",
            "DROP SEQUENCE IF EXISTS banks_agreement_seq",
        ),
        migrations.RunSQL(PAYMENT_GUARD, DROP_PAYMENT_GUARD),
    ]
