"""Message templates: one Jinja file per message and language in casehub/notify/messages/<language>/.

Each file defines three blocks: `subject` and `body` (e-mail) and `short` (SMS and in-app alerts).
Templates render with StrictUndefined: a variable missing from the payload is an error that
fails the delivery visibly, never a blank in a message sent to a citizen.
"""
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from flask import current_app
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from casehub.models import city_zone

MESSAGES_DIR = Path(__file__).parent / "messages"
LANGUAGES = ("zh_TW", "en")
BLOCKS = ("subject", "body", "short")


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    short: str


def message_language(locale: str | None) -> str:
    """The template language for a user's or citizen's locale; the city's first language otherwise."""
    if locale and locale[:2] == "en":
        return "en"
    return LANGUAGES[0]


def _local_time(value: str | datetime | None) -> str:
    """An ISO time (as payloads keep them) shown in the city's time zone."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(city_zone()).strftime("%Y-%m-%d %H:%M")


def case_url(number: str) -> str:
    """The case page's address, for staff messages (built outside any request, from CASEHUB_BASE_URL)."""
    path = current_app.url_map.bind("casehub").build("cases.show", {"number": number})
    return current_app.config["BASE_URL"] + path


@lru_cache(maxsize=None)
def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(MESSAGES_DIR), undefined=StrictUndefined, autoescape=False,
                              trim_blocks=True, lstrip_blocks=True)
    environment.filters["local"] = _local_time
    environment.globals["case_url"] = case_url
    return environment


def template_names() -> list[str]:
    """Every message template, by name (the first language has them all; a test checks the others)."""
    return sorted(path.stem for path in (MESSAGES_DIR / LANGUAGES[0]).glob("*.txt"))


def render_message(template: str, language: str, payload: dict) -> RenderedMessage:
    """Render all three blocks of `template`; raises jinja2's UndefinedError when the payload lacks a variable."""
    compiled = _environment().get_template(f"{message_language(language)}/{template}.txt")
    context = compiled.new_context(payload)
    parts = {name: "".join(compiled.blocks[name](context)).strip() for name in BLOCKS}
    return RenderedMessage(**parts)
