"""Message templates: both languages, every block, every variable present, or the delivery fails."""
import pytest
import sqlalchemy as sa
from jinja2 import UndefinedError

from casehub.cases.services import add_reporter, perform_action
from casehub.extensions import db
from casehub.notify.delivery import DIGEST_TEMPLATE
from casehub.notify.outbox import fold_due_digests
from casehub.notify.models import OutboxMessage, OutboxStatus
from casehub.notify.rendering import BLOCKS, LANGUAGES, MESSAGES_DIR, _environment, render_message, template_names
from casehub.notify.services import AGENCY_CASE_MESSAGES, CITIZEN_MESSAGES, notify_case_received
from casehub.sla.reminders import MANAGER_TEMPLATE, TEMPLATES, run_sla_sweep
from tests.notify.conftest import EMAIL_REPORTER
from tests.sla import taipei

# The messages case events and the SLA sweep write (other features test the templates of their own messages).
CASE_AND_SLA_TEMPLATES = {
    "case_received", "agency_case_transferred", "agency_extension_decided", DIGEST_TEMPLATE, MANAGER_TEMPLATE,
    *TEMPLATES.values(), *(template for template, _quoted in [*CITIZEN_MESSAGES.values(),
                                                               *AGENCY_CASE_MESSAGES.values()]),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_exists_in_every_language_with_every_block(app, language):
    names = sorted(path.stem for path in (MESSAGES_DIR / language).glob("*.txt"))
    assert names == template_names()
    for name in names:
        assert set(_environment().get_template(f"{language}/{name}.txt").blocks) == set(BLOCKS), name


def test_every_template_the_sla_sweep_writes_exists(app):
    assert {*TEMPLATES.values(), MANAGER_TEMPLATE} <= set(template_names())


def test_a_missing_variable_is_an_error_not_a_blank(app):
    with pytest.raises(UndefinedError, match="'reply' is undefined"):
        render_message("case_resolved", "zh_TW", {"case_number": "20261126-000001", "category": "路燈",
                                                  "received_at": "2026-11-26T10:00:00+08:00", "agency": "養工處"})


def test_every_template_renders_in_both_languages_with_what_the_features_write(sla_world, make_agency):
    """Drive one case through every notified step (and the SLA sweep), then render each row in both languages."""
    world = sla_world
    case = world.open(world.petition, taipei(2026, 11, 26, 10), reporter=EMAIL_REPORTER)
    notify_case_received(case, "ABCD1234", now=taipei(2026, 11, 26, 10))
    add_reporter(case, {"phone": "0922333444", "contact_preference": "sms"}, actor=None, now=taipei(2026, 11, 26, 10))
    staff = world.supervisor
    for action, params in [("accept", {}), ("request_info", {"message": "請提供照片"}), ("resume", {}),
                           ("request_extension", {"days": 2, "reason": "需會勘"}), ("approve_extension", {}),
                           ("request_extension", {"days": 1, "reason": "待料"}), ("reject_extension", {"note": "不同意"}),
                           ("resolve", {"reply": "已修復"})]:
        perform_action(case, action, actor=staff, now=taipei(2026, 11, 26, 11), **params)
    perform_action(case, "reopen", actor=world.manager, reason="仍未修好", now=taipei(2026, 11, 26, 12))
    perform_action(case, "request_transfer", actor=staff, reason="非本處權責", now=taipei(2026, 11, 26, 12))
    perform_action(case, "reassign", actor=world.manager, agency=make_agency().code,
                   now=taipei(2026, 11, 26, 12))
    overdue = world.open(world.hazard, taipei(2026, 11, 26, 10))
    for hour in (10, 12, 14, 18):
        run_sla_sweep(taipei(2026, 11, 26, hour, 30))
    transfer = world.open(world.petition, taipei(2026, 11, 26, 10))
    perform_action(transfer, "request_transfer", actor=staff, reason="非本處權責", now=taipei(2026, 11, 26, 10))
    run_sla_sweep(taipei(2026, 11, 30, 17, 30))
    assert overdue.escalation_level >= 2
    held = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "case_received")).one()
    held.status = OutboxStatus.HELD
    fold_due_digests(taipei(2026, 12, 1))

    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {message.template for message in messages} == CASE_AND_SLA_TEMPLATES
    for message in messages:
        for language in LANGUAGES:
            rendered = render_message(message.template, language, message.payload)
            assert rendered.subject and rendered.body and rendered.short, (message.template, language)
