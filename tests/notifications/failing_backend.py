"""E-mail backends for the outbox tests."""

from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionError("SMTP down")


class RecordingBackend(BaseEmailBackend):
    """Records each message's outbox status at the moment it is sent, counts the
    connections opened, and refuses mail to `refuse`."""

    seen: list = []
    opened = 0
    refuse = ""

    def open(self):
        type(self).opened += 1
        return True

    def send_messages(self, email_messages):
        from notifications.models import OutboxMessage

        for message in email_messages:
            if message.to == [self.refuse]:
                raise ConnectionError("mailbox unavailable")
            row = OutboxMessage.objects.filter(payload__to=message.to).latest("id")
            self.seen.append(row.status)
        return len(email_messages)
