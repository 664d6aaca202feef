"""Domain and API errors, and the handlers that render them as JSON or HTML."""
import logging
import uuid

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from casehub.extensions import db

log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark an English message for the catalog; the page showing it translates it (pybabel extracts N_)."""
    return message


class DomainError(Exception):
    """A business rule refused the request; `code` is a stable snake_case identifier."""

    status = 409

    def __init__(self, code: str, message: str, *, status: int | None = None, fields: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields
        if status is not None:
            self.status = status

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message, "request_id": request_id()}
        if self.fields:
            body["fields"] = self.fields
        return body


class ApiError(DomainError):
    status = 400


def request_id() -> str:
    if "request_id" not in g:
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
    return g.request_id


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _respond(status: int, code: str, message: str, fields: dict | None = None):
    if wants_json():
        body = {"code": code, "message": message, "request_id": request_id()}
        if fields:
            body["fields"] = fields
        return jsonify(error=body), status
    page_messages = {
        403: _("You do not have permission to see this page."),
        404: _("This page does not exist."),
        500: _("Something went wrong. The error has been logged (request %(id)s).", id=request_id()),
    }
    return render_template("errors/error.html", status=status, code=code,
                           message=page_messages.get(status) or _(message)), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        db.session.rollback()
        return _respond(error.status, error.code, error.message, error.fields)

    @app.errorhandler(StaleDataError)
    def handle_concurrent_write(error: StaleDataError):
        db.session.rollback()
        return _respond(409, "stale_version", "Someone else changed this record at the same time; reload it.")

    @app.errorhandler(ValidationError)
    def handle_validation_error(error: ValidationError):
        db.session.rollback()
        return _respond(422, "validation_failed", "Some fields are invalid.", error.messages)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        return _respond(error.code or 500, (error.name or "error").lower().replace(" ", "_"), error.description)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        log.exception("unhandled error, request %s", request_id())
        return _respond(500, "internal_error", f"Something went wrong (request {request_id()}).")
