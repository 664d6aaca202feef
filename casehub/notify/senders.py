"""The channels: e-mail over SMTP, SMS through a pluggable gateway adapter, in-app alerts, and the local mailbox.

Every sender either returns (the message is delivered) or raises DeliveryError, permanent when
trying again cannot help: an SMTP server refusing the recipient with a 5xx reply, an SMS gateway
refusing the number with a 4xx status. Anything else (a server down, a timeout) is temporary.
"""
import importlib
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

from flask import current_app

from casehub.extensions import db
from casehub.notify.models import Alert, LocalMail, OutboxChannel, OutboxMessage
from casehub.notify.rendering import RenderedMessage

SMTP_TIMEOUT_SECONDS = 30
SMS_TIMEOUT_SECONDS = 15
# 4xx statuses that mean "later", not "never".
RETRYABLE_CLIENT_STATUSES = frozenset({408, 409, 425, 429})


class DeliveryError(Exception):
    """A send that did not happen; `permanent` when retrying cannot help (a bad address)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SmsAdapter(Protocol):
    """What a city's SMS provider must offer: built from the app's config, it sends one text or raises DeliveryError."""

    def __init__(self, config) -> None: ...

    def send(self, to: str, text: str) -> None: ...


class HttpSmsGateway:
    """The default adapter: POST {"to", "text"} as JSON to SMS_GATEWAY_URL with SMS_GATEWAY_TOKEN as bearer token."""

    def __init__(self, config):
        self.url = config["SMS_GATEWAY_URL"]
        self.token = config["SMS_GATEWAY_TOKEN"]

    def send(self, to: str, text: str) -> None:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=json.dumps({"to": to, "text": text}).encode(),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=SMS_TIMEOUT_SECONDS):
                return
        except urllib.error.HTTPError as error:
            detail = error.read(300).decode(errors="replace")
            permanent = 400 <= error.code < 500 and error.code not in RETRYABLE_CLIENT_STATUSES
            raise DeliveryError(f"SMS gateway answered {error.code}: {detail}", permanent=permanent) from None
        except OSError as error:  # URLError, refused connection, timeout
            raise DeliveryError(f"SMS gateway unreachable: {error}") from None


def sms_adapter() -> SmsAdapter | None:
    """The adapter named by CASEHUB_SMS_ADAPTER; None when the default gateway has no URL (kept locally)."""
    module_name, _colon, class_name = current_app.config["SMS_ADAPTER"].partition(":")
    adapter_class = getattr(importlib.import_module(module_name), class_name)
    if adapter_class is HttpSmsGateway and not current_app.config["SMS_GATEWAY_URL"]:
        return None
    return adapter_class(current_app.config)


def _smtp_failure(code: int, text: str) -> DeliveryError:
    return DeliveryError(f"SMTP {code}: {text}", permanent=code >= 500)


def send_email(message_id: int, to: str, rendered: RenderedMessage, now: datetime) -> None:
    """Send one e-mail over SMTP with the MAIL_* settings."""
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = to
    email["Subject"] = rendered.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = make_msgid(idstring=f"outbox{message_id}")
    email.set_content(rendered.body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise _smtp_failure(code, text.decode(errors="replace")) from None
    except smtplib.SMTPDataError as error:
        raise _smtp_failure(error.smtp_code, error.smtp_error.decode(errors="replace")) from None
    except (smtplib.SMTPException, OSError) as error:  # refused connection, timeout, sender refused, bad login
        raise DeliveryError(f"SMTP: {error}") from None


def keep_locally(message: OutboxMessage, subject: str, body: str, now: datetime) -> None:
    """Without a mail server or SMS gateway (embedded demo), "deliver" to the local sent-mail page."""
    db.session.add(LocalMail(message_id=message.id, channel=message.channel, recipient=message.recipient,
                             subject=subject[:300], body=body, delivered_at=now))


def send_message(message: OutboxMessage, rendered: RenderedMessage, now: datetime) -> None:
    """Hand one rendered message to its channel; raises DeliveryError when it was not delivered."""
    if message.channel is OutboxChannel.EMAIL:
        if current_app.config["MAIL_SERVER"]:
            send_email(message.id, message.recipient, rendered, now)
        else:
            keep_locally(message, rendered.subject, rendered.body, now)
    elif message.channel is OutboxChannel.SMS:
        adapter = sms_adapter()
        if adapter is None:
            keep_locally(message, rendered.subject, rendered.short, now)
        else:
            adapter.send(message.recipient, rendered.short)
    else:
        if message.user_id is None:
            raise DeliveryError("An in-app message needs a user.", permanent=True)
        db.session.add(Alert(user_id=message.user_id, case_id=message.case_id, message=rendered.short[:500],
                             created_at=now))
