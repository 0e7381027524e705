"""Outgoing mail over SMTP (stdlib smtplib, off the event loop); in development also kept in an outbox."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from app import clock
from app.settings import Settings

logger = logging.getLogger("chorus.mail")


class MailNotSent(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def _deliver(settings: Settings, mail: Mail) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(message)


async def send(settings: Settings, mail: Mail) -> None:
    """Send through SMTP when configured; in development, keep a copy for the outbox page."""
    if not settings.is_production:
        from app.accounts.tables import OutboxMessage

        await OutboxMessage.insert(
            OutboxMessage(to_address=mail.to, subject=mail.subject, body=mail.body, sent_at=clock.now())
        )
    if not settings.smtp_host:
        return
    try:
        await asyncio.to_thread(_deliver, settings, mail)
    except (OSError, smtplib.SMTPException) as error:
        logger.error("mail to %s not sent: %s", mail.to.split("@")[-1], error)
        raise MailNotSent(str(error)) from error
