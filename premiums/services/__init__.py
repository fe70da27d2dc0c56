"""Every write on declarations, debit notes and payments (SPEC 6), one transaction each."""

from premiums.services.account import (  # noqa: F401
    premium_account_close,
    premium_account_open,
    premium_adjust,
    premiums_sweep,
)
from premiums.services.declarations import (  # noqa: F401
    declaration_discard,
    declaration_prepare,
    declaration_return,
    declaration_submit,
    declaration_update,
)
from premiums.services.payments import debit_note_cancel, payment_record  # noqa: F401
