"""What staff read for the codes the system stores: roles, channels, statuses, events (zh-TW and English)."""
from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "operator": _l("Operator"),
    "agency_staff": _l("Agency staff"),
    "agency_supervisor": _l("Agency supervisor"),
    "manager": _l("Manager"),
    "admin": _l("Administrator"),
}

LABELS = {
    "role": ROLE_LABELS,
    "channel": {
        "phone": _l("Phone (1999)"), "counter": _l("Counter"), "mayor_mailbox": _l("Mayor's mailbox"),
        "app": _l("App"), "written": _l("Letter"), "fax": _l("Fax"),
        "sign_language_video": _l("Sign-language video call"), "open311": _l("Open311"),
    },
    "status": {
        "received": _l("Received"), "assigned": _l("Assigned"), "accepted": _l("Accepted"),
        "waiting_for_citizen": _l("Waiting for the citizen"), "transfer_requested": _l("Transfer requested"),
        "resolved": _l("Resolved"), "closed": _l("Closed"), "cancelled": _l("Cancelled"), "merged": _l("Merged"),
    },
    "kind": {"dispatch": _l("Dispatch"), "petition": _l("Petition")},
    "contact": {"phone": _l("Phone"), "sms": _l("SMS"), "email": _l("E-mail"), "letter": _l("Letter"),
                "none": _l("No answer wanted")},
    "action": {
        "accept": _l("Accept"), "resolve": _l("Resolve with a reply"), "request_transfer": _l("Request transfer"),
        "reassign": _l("Reassign"), "request_info": _l("Ask the citizen for information"),
        "resume": _l("Resume"), "request_extension": _l("Request extension"),
        "approve_extension": _l("Approve extension"), "reject_extension": _l("Reject extension"),
        "close": _l("Close"), "reopen": _l("Reopen"), "cancel": _l("Cancel"), "merge": _l("Merge into"),
        "note": _l("Add an internal note"),
    },
    "event": {
        "received": _l("Received"), "assigned": _l("Assigned"), "accepted": _l("Accepted"),
        "resolved": _l("Resolved"), "transfer_requested": _l("Transfer requested"), "reassigned": _l("Reassigned"),
        "info_requested": _l("Information requested"), "resumed": _l("Resumed"),
        "extension_requested": _l("Extension requested"), "extension_approved": _l("Extension approved"),
        "extension_rejected": _l("Extension rejected"), "closed": _l("Closed"), "reopened": _l("Reopened"),
        "cancelled": _l("Cancelled"), "merged": _l("Merged"), "merged_in": _l("Duplicate merged in"),
        "note": _l("Internal note"), "duplicate_reported": _l("Further report"),
        "deadline_changed": _l("Deadline changed"),
        "sla_escalated": _l("Escalated: the deadline has passed"),
    },
}


def options(kind: str, values) -> list[tuple[str, str]]:
    """(stored code, the reader's word) for each of `values`: a filter's options."""
    return [(getattr(value, "value", value), label(kind, value)) for value in values]


def label(kind: str, value) -> str:
    """The reader's word for a stored code; the code itself when no label exists yet."""
    value = getattr(value, "value", value)
    return str(LABELS[kind].get(value, value))
