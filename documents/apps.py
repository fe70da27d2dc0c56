from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from documents import reactions
        from documents.renderers import (
            assignment_agreement,
            claim_worksheet,
            debit_note,
            limit_letter,
            loss_notice,
            policy_schedule,
        )

        for renderer in (loss_notice, claim_worksheet, assignment_agreement, policy_schedule,
                         limit_letter, debit_note):  # fmt: skip
            renderer.register()
        reactions.register()
