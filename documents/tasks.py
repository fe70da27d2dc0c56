import logging

from celery import shared_task
from celery.signals import worker_process_init

from documents import pdf
from documents.services import document_render, documents_resume

logger = logging.getLogger(__name__)


@worker_process_init.connect
def prepare_to_render(**kwargs) -> None:
    """Each pool process loads WeasyPrint and the fonts as it starts, not on the first
    document it is given (documents.pdf.warm_up). A failure here only costs that time:
    the document's own rendering then reports what is wrong."""
    try:
        pdf.warm_up()
    except Exception:
        logger.exception("could not prepare this worker process to render documents")


@shared_task
def render_document(document_id: int) -> str:
    """Render one document and issue it (documents.services.document_render): safe to run
    twice, since only the run that claims it from the queue renders it."""
    return document_render(document_id=document_id)


@shared_task
def resume_documents() -> int:
    """Every ten minutes: queue again the documents a lost worker or message left behind."""
    return documents_resume()
