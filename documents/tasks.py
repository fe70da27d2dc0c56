from celery import shared_task

from documents.services import document_render, documents_resume


@shared_task
def render_document(document_id: int) -> str:
    """Render one document and issue it (documents.services.document_render): safe to run
    twice, since only the run that claims it from the queue renders it."""
    return document_render(document_id=document_id)


@shared_task
def resume_documents() -> int:
    """Every ten minutes: queue again the documents a lost worker or message left behind."""
    return documents_resume()
