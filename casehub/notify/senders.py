"""The channels: e-mail over SMTP, SMS through a pluggable gateway adapter, in-app alerts, and the local mailbox.

Every sender either returns (the message is delivered; with the provider's message id when it
gives one) or raises DeliveryError, permanent when trying again cannot help: an SMTP server
refusing the recipient with a 5xx reply, an SMS gateway refusing the number with a 4xx status.
Anything else (a server down, a timeout) is temporary.

Each send carries the attempt's idempotency key: the SMS gateway gets it as an `Idempotency-Key`
header and drops a repeat, an e-mail gets a Message-ID made from it. In-app alerts and the local
mailbox deliver by writing a row, in the same transaction as the attempt's outcome.
"""
import importlib
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from flask import current_app

from casehub.extensions import db
from casehub.notify.models import Alert, LocalMail, OutboxChannel
from casehub.notify.rendering import RenderedMessage

SMTP_TIMEOUT_SECONDS = 30
SMS_TIMEOUT_SECONDS = 15
# 4xx statuses that mean "later", not "never".
RETRYABLE_CLIENT_STATUSES = frozenset({408, 409, 425, 429})
PROVIDER_ID_LENGTH = 200


@dataclass(frozen=True)
class Outgoing:
    """One message as handed to its channel, read before the attempt commits: sending needs no database."""

    message_id: int
    channel: OutboxChannel
    recipient: str
    user_id: int | None
    case_id: int | None
    rendered: RenderedMessage
    attempt_id: int
    idempotency_key: str


class DeliveryError(Exception):
    """A send that did not happen; `permanent` when retrying cannot help (a bad address)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SmsAdapter(Protocol):
    """What a city's SMS provider must offer: built from the app's config, it sends one text or raises DeliveryError.

    `deduplicates` is true when the provider drops a second request with the same idempotency key; only
    then is a text whose outcome was lost sent again (README: "Outages").
    """

    deduplicates: bool

    def __init__(self, config) -> None: ...

    def send(self, to: str, text: str, *, idempotency_key: str) -> str | None: ...


class HttpSmsGateway:
    """The default adapter: POST {"to", "text"} as JSON to SMS_GATEWAY_URL with SMS_GATEWAY_TOKEN as bearer token.

    The request carries an `Idempotency-Key` header, which the gateway must honour; the message id it
    answers with (`id` or `message_id` in a JSON body) is kept with the attempt.
    """

    deduplicates = True

    def __init__(self, config):
        self.url = config["SMS_GATEWAY_URL"]
        self.token = config["SMS_GATEWAY_TOKEN"]

    def send(self, to: str, text: str, *, idempotency_key: str) -> str | None:
        headers = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=json.dumps({"to": to, "text": text}).encode(),
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=SMS_TIMEOUT_SECONDS) as response:
                return _gateway_message_id(response.read(4096))
        except urllib.error.HTTPError as error:
            detail = error.read(300).decode(errors="replace")
            permanent = 400 <= error.code < 500 and error.code not in RETRYABLE_CLIENT_STATUSES
            raise DeliveryError(f"SMS gateway answered {error.code}: {detail}", permanent=permanent) from None
        except OSError as error:  # URLError, refused connection, timeout
            raise DeliveryError(f"SMS gateway unreachable: {error}") from None


def _gateway_message_id(body: bytes) -> str | None:
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    if not isinstance(answer, dict):
        return None
    found = answer.get("id") or answer.get("message_id")
    return str(found)[:PROVIDER_ID_LENGTH] if found else None


def sms_adapter() -> SmsAdapter | None:
    """The adapter named by CASEHUB_SMS_ADAPTER; None when the default gateway has no URL (kept locally)."""
    module_name, _colon, class_name = current_app.config["SMS_ADAPTER"].partition(":")
    adapter_class = getattr(importlib.import_module(module_name), class_name)
    if adapter_class is HttpSmsGateway and not current_app.config["SMS_GATEWAY_URL"]:
        return None
    return adapter_class(current_app.config)


def _smtp_failure(code: int, text: str) -> DeliveryError:
    return DeliveryError(f"SMTP {code}: {text}", permanent=code >= 500)


def email_message_id(idempotency_key: str, sender: str) -> str:
    """The e-mail's Message-ID, made from the attempt's idempotency key: the attempt names the e-mail it sent."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<casehub.{idempotency_key}@{domain}>"


def send_email(outgoing: Outgoing, now: datetime) -> str:
    """Send one e-mail over SMTP with the MAIL_* settings; returns its Message-ID."""
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = outgoing.recipient
    email["Subject"] = outgoing.rendered.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = email_message_id(outgoing.idempotency_key, config["MAIL_DEFAULT_SENDER"])
    email.set_content(outgoing.rendered.body)
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
    return email["Message-ID"]


def delivers_in_database(channel: OutboxChannel) -> bool:
    """Whether the channel delivers by writing a row (an alert, the local mailbox) rather than calling a server."""
    if channel is OutboxChannel.EMAIL:
        return not current_app.config["MAIL_SERVER"]
    if channel is OutboxChannel.SMS:
        return sms_adapter() is None
    return True


def provider_deduplicates(channel: OutboxChannel) -> bool:
    """Whether the channel's provider drops a repeat sent under the same idempotency key."""
    adapter = sms_adapter() if channel is OutboxChannel.SMS else None
    return bool(getattr(adapter, "deduplicates", False))


def keep_locally(outgoing: Outgoing, subject: str, body: str, now: datetime) -> None:
    """Without a mail server or SMS gateway (embedded demo), "deliver" to the local sent-mail page."""
    db.session.add(LocalMail(message_id=outgoing.message_id, channel=outgoing.channel, recipient=outgoing.recipient,
                             subject=subject[:300], body=body, delivered_at=now))


def send_message(outgoing: Outgoing, now: datetime) -> str | None:
    """Hand one rendered message to its channel; the provider's message id, if any. Raises DeliveryError."""
    rendered = outgoing.rendered
    if outgoing.channel is OutboxChannel.EMAIL:
        if current_app.config["MAIL_SERVER"]:
            return send_email(outgoing, now)
        keep_locally(outgoing, rendered.subject, rendered.body, now)
    elif outgoing.channel is OutboxChannel.SMS:
        adapter = sms_adapter()
        if adapter is not None:
            return adapter.send(outgoing.recipient, rendered.short, idempotency_key=outgoing.idempotency_key)
        keep_locally(outgoing, rendered.subject, rendered.short, now)
    else:
        if outgoing.user_id is None:
            raise DeliveryError("An in-app message needs a user.", permanent=True)
        db.session.add(Alert(user_id=outgoing.user_id, case_id=outgoing.case_id, message=rendered.short[:500],
                             created_at=now))
    return None
