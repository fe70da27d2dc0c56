from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from documents import reactions
        from documents.renderers import claim_worksheet, loss_notice

        loss_notice.register()
        claim_worksheet.register()
        reactions.register()
