"""Routing: which agency a case goes to, by ordered rules, and why; and the managers' edits of the rules.

Rules are tried in `position` order. A rule matches when each condition it sets holds: the
category, the district, a keyword in the description, an attribute (e.g. road width or owner)
with a given value; an empty condition matches anything. Inactive rules are not tried; a rule
whose agency is deactivated (or refused the case) is passed over. Nothing matches: the
category's default agency.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casehub.audit.services import apply_changes, audit_snapshot, record_audit
from casehub.auth.models import User
from casehub.directory.models import Agency, Category, District
from casehub.errors import N_, DomainError
from casehub.extensions import db
from casehub.routing.models import RoutingRule

RULE_FIELDS = ["name", "category", "district", "keyword", "attribute_name", "attribute_value", "agency", "active"]


@dataclass(frozen=True)
class RoutingDecision:
    agency: Agency | None
    rule: RoutingRule | None
    explanation: dict


def _same(a: object, b: object) -> bool:
    return str(a).strip().casefold() == str(b).strip().casefold()


def rule_matches(rule: RoutingRule, *, category: Category, district: District | None, description: str,
                 attributes: dict) -> bool:
    """Whether every condition the rule sets holds for this case."""
    if rule.category_id is not None and rule.category_id != category.id:
        return False
    if rule.district_id is not None and (district is None or rule.district_id != district.id):
        return False
    if rule.keyword and rule.keyword.casefold() not in (description or "").casefold():
        return False
    if rule.attribute_name:
        value = (attributes or {}).get(rule.attribute_name)
        if value is None or not _same(value, rule.attribute_value or ""):
            return False
    return True


def rule_conditions(rule: RoutingRule) -> dict:
    """The rule's conditions as the explanation shows them (codes and names, not ids)."""
    conditions = {
        "category": rule.category.code if rule.category else None,
        "district": rule.district.name_zh if rule.district else None,
        "keyword": rule.keyword or None,
    }
    if rule.attribute_name:
        conditions["attribute"] = {"name": rule.attribute_name, "value": rule.attribute_value}
    return conditions


def _agency_summary(agency: Agency) -> dict:
    return {"agency": agency.code, "agency_name": agency.name_zh}


def route_case(category: Category, *, district: District | None, description: str, attributes: dict | None,
               exclude_agency_ids: tuple[int, ...] | list[int] | set[int] = ()) -> RoutingDecision:
    """The agency a case goes to, the rule that sent it there (None: the category's default), and why.

    `exclude_agency_ids`: agencies that refused the case, never suggested again. When no rule
    matches and the default agency is deactivated or excluded, the decision's agency is None
    and the dispatch centre chooses.
    """
    rules = db.session.scalars(
        sa.select(RoutingRule)
        .where(RoutingRule.active, sa.or_(RoutingRule.category_id == category.id, RoutingRule.category_id.is_(None)))
        .order_by(RoutingRule.position, RoutingRule.id)
        .options(selectinload(RoutingRule.agency), selectinload(RoutingRule.category),
                 selectinload(RoutingRule.district))
    ).all()
    excluded = set(exclude_agency_ids)
    passed_over = []
    for rule in rules:
        if not rule_matches(rule, category=category, district=district, description=description,
                            attributes=attributes or {}):
            continue
        if not rule.agency.active or rule.agency_id in excluded:
            reason = "agency deactivated" if not rule.agency.active else "agency refused the case"
            passed_over.append({"rule_id": rule.id, "rule_name": rule.name, **_agency_summary(rule.agency),
                                "reason": reason})
            continue
        return RoutingDecision(rule.agency, rule, {
            "matched": "rule", "rule_id": rule.id, "rule_name": rule.name, "position": rule.position,
            "conditions": rule_conditions(rule), **_agency_summary(rule.agency), "passed_over": passed_over,
        })
    default = category.default_agency
    if default.active and default.id not in excluded:
        return RoutingDecision(default, None, {"matched": "category_default", "category": category.code,
                                               **_agency_summary(default), "passed_over": passed_over})
    return RoutingDecision(None, None, {
        "matched": "none", "category": category.code, **_agency_summary(default), "passed_over": passed_over,
        "reason": "agency deactivated" if not default.active else "agency refused the case",
    })


def _invalid(field: str, message: str) -> DomainError:
    return DomainError("invalid_routing_rule", message, status=422, fields={field: [message]})


def _resolve_rule_values(data: dict) -> dict:
    """Turn the form's codes and ids into rows, refusing unknown or deactivated ones beside their field."""
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == (data.get("agency") or "").strip()))
    if agency is None:
        raise _invalid("agency", N_("No agency has this code."))
    if not agency.active:
        raise _invalid("agency", N_("This agency is deactivated and takes no new cases."))
    category = db.session.get(Category, data["category_id"]) if data.get("category_id") else None
    if data.get("category_id") and category is None:
        raise _invalid("category_id", N_("No such category."))
    district = db.session.get(District, data["district_id"]) if data.get("district_id") else None
    if data.get("district_id") and district is None:
        raise _invalid("district_id", N_("No such district."))
    name = (data.get("name") or "").strip()
    if not name:
        raise _invalid("name", N_("A rule needs a name."))
    attribute_name = (data.get("attribute_name") or "").strip() or None
    attribute_value = (data.get("attribute_value") or "").strip() or None
    if bool(attribute_name) != bool(attribute_value):
        field = "attribute_value" if attribute_name else "attribute_name"
        raise _invalid(field, N_("Give both the attribute and its value, or neither."))
    return {"name": name, "category": category, "district": district,
            "keyword": (data.get("keyword") or "").strip() or None, "attribute_name": attribute_name,
            "attribute_value": attribute_value, "agency": agency, "active": data.get("active", True)}


def create_rule(data: dict, *, actor: User, now: datetime) -> RoutingRule:
    """Add a rule at the end of the order."""
    values = _resolve_rule_values(data)
    last = db.session.scalar(sa.select(sa.func.max(RoutingRule.position))) or 0
    rule = RoutingRule(position=last + 1, created_at=now, **values)
    db.session.add(rule)
    db.session.flush()
    record_audit(actor=actor, action="routing_rule.create", entity_type="routing_rule", entity_id=rule.id,
                 after=audit_snapshot(rule, ["position", *RULE_FIELDS]), now=now)
    return rule


def update_rule(rule: RoutingRule, data: dict, *, actor: User, now: datetime) -> None:
    """Change a rule's conditions or agency."""
    before, after = apply_changes(rule, _resolve_rule_values(data))
    if after:
        db.session.flush()
        record_audit(actor=actor, action="routing_rule.update", entity_type="routing_rule", entity_id=rule.id,
                     before=before, after=after, now=now)


def move_rule(rule: RoutingRule, direction: str, *, actor: User, now: datetime) -> None:
    """Swap the rule with its neighbour above ("up") or below ("down"); at either end nothing moves."""
    ordered = db.session.scalars(sa.select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)).all()
    index = ordered.index(rule)
    other_index = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other_index < len(ordered):
        return
    # Renumber the whole list: positions stay dense and unique whatever earlier edits left behind.
    ordered[index], ordered[other_index] = ordered[other_index], ordered[index]
    before = rule.position
    for position, item in enumerate(ordered, start=1):
        item.position = position
    db.session.flush()
    record_audit(actor=actor, action="routing_rule.move", entity_type="routing_rule", entity_id=rule.id,
                 before={"position": before}, after={"position": rule.position}, now=now)


def set_rule_active(rule: RoutingRule, active: bool, *, actor: User, now: datetime) -> None:
    """Deactivate a rule (it is no longer tried) or bring it back."""
    if active and not rule.agency.active:
        raise _invalid("agency", N_("This agency is deactivated and takes no new cases."))
    before, after = apply_changes(rule, {"active": active})
    if after:
        db.session.flush()
        record_audit(actor=actor, action="routing_rule.activate" if active else "routing_rule.deactivate",
                     entity_type="routing_rule", entity_id=rule.id, before=before, after=after, now=now)
