"""The payment guard also reads the agreement's status: a payment waiting on a termination
is checked against the agreement as it ended, not a stale read of its covered buyer."""

from django.db import migrations

PAYMENT_GUARD = """
CREATE OR REPLACE FUNCTION banks_payment_to_assignee() RETURNS trigger AS $$
DECLARE
    claimed record;
    assignee record;
BEGIN
    SELECT policy_id, buyer_id INTO claimed FROM claims_claim WHERE id = NEW.claim_id;
    -- FOR SHARE: a termination of the agreement waits for this payment, and the other way;
    -- after such a wait the locked agreement row is read again, with its status.
    SELECT agreement.reference, agreement.bank_id,
           btrim(concat_ws(' ', agreement.account_bank, agreement.account_name,
                           agreement.account_number)) AS account
      INTO assignee
      FROM banks_agreementbuyer covered
      JOIN banks_assignmentagreement agreement ON agreement.id = covered.agreement_id
     WHERE covered.policy_id = claimed.policy_id AND covered.buyer_id = claimed.buyer_id
       AND covered.active AND agreement.status = 'active'
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
"""

PREVIOUS_GUARD = """
CREATE OR REPLACE FUNCTION banks_payment_to_assignee() RETURNS trigger AS $$
DECLARE
    claimed record;
    assignee record;
BEGIN
    SELECT policy_id, buyer_id INTO claimed FROM claims_claim WHERE id = NEW.claim_id;
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
"""


class Migration(migrations.Migration):
    dependencies = [("banks", "0002_sequence_and_payment_guard")]

    operations = [migrations.RunSQL(PAYMENT_GUARD, PREVIOUS_GUARD)]
