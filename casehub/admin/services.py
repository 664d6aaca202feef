"""Administrative changes to users, agencies and categories; each one is written to the audit trail."""
from datetime import datetime

import sqlalchemy as sa

from casehub.audit.services import apply_changes, audit_snapshot, record_audit
from casehub.auth.models import Role, User
from casehub.auth.services import check_password_policy, create_user, end_all_access
from casehub.auth.throttle import FailureKind, forget_sign_in_failures
from casehub.directory.models import Agency, AgencyKind, CaseKind, Category, Open311Type
from casehub.directory.schemas import load_open311_attributes
from casehub.directory.services import active_agency_or_error
from casehub.errors import N_, DomainError
from casehub.extensions import db
from casehub.routing.models import RoutingRule
from casehub.sla.models import SlaPolicy

USER_AUDIT_FIELDS = ["username", "display_name", "email", "phone", "role", "agency", "locale", "active"]
AGENCY_AUDIT_FIELDS = ["code", "name_zh", "name_en", "kind", "parent", "email", "sms_number", "active"]
CATEGORY_AUDIT_FIELDS = [
    "code", "name_zh", "name_en", "kind", "default_agency", "sla_policy", "is_public", "group", "keywords",
    "sort_order", "description", "open311_type", "open311_attributes", "active",
]


def _record_change(obj, entity_type: str, action: str, *, actor: User, before: dict, after: dict) -> None:
    """Audit an update, unless nothing really changed."""
    if after:
        record_audit(actor=actor, action=f"{entity_type}.{action}", entity_type=entity_type, entity_id=obj.id,
                     before=before, after=after)


def _set_active(obj, entity_type: str, active: bool, *, actor: User) -> None:
    """Deactivate or reactivate a row (they are never deleted: history keeps pointing at them)."""
    before, after = apply_changes(obj, {"active": active})
    db.session.flush()
    _record_change(obj, entity_type, "reactivate" if active else "deactivate", actor=actor, before=before,
                   after=after)


# Users ---------------------------------------------------------------------------------------

def user_list(*, search: str | None = None, role: str | None = None, agency_id: int | None = None,
              active: bool | None = None) -> sa.Select:
    """Staff accounts matching the filters, by username; `search` looks in username and display name."""
    stmt = sa.select(User).order_by(User.username)
    if search:
        pattern = f"%{search.strip()}%"
        stmt = stmt.where(sa.or_(User.username.ilike(pattern), User.display_name.ilike(pattern)))
    if role:
        stmt = stmt.where(User.role == Role(role))
    if agency_id is not None:
        stmt = stmt.where(User.agency_id == agency_id)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    return stmt


def _agency_for_role(role: Role, agency: Agency | None, *, current: Agency | None = None) -> Agency | None:
    """Agency roles need an active agency (keeping the one they already have is allowed); others have none."""
    if not role.needs_agency:
        return None
    if agency is None or agency is not current:
        active_agency_or_error(agency)
    return agency


def create_staff_user(*, actor: User, username: str, password: str, role: str, agency: Agency | None,
                      display_name: str, email: str | None, phone: str | None, locale: str | None) -> User:
    """Create an account; the password is the administrator's, so the user must change it at first sign-in."""
    _agency_for_role(Role(role), agency)
    user = create_user(username=username, password=password, role=role, display_name=display_name,
                       agency_code=agency.code if agency else None, email=email, phone=phone, locale=locale)
    user.must_change_password = True
    db.session.flush()
    record_audit(actor=actor, action="user.create", entity_type="user", entity_id=user.id,
                 after=audit_snapshot(user, USER_AUDIT_FIELDS))
    return user


def update_user(user: User, *, actor: User, display_name: str, email: str | None, phone: str | None,
                role: str, agency: Agency | None, locale: str | None) -> None:
    """Change a user's profile, role or agency."""
    role = Role(role)
    if user.id == actor.id and role is not user.role:
        raise DomainError("own_role", "You cannot change your own role.", status=422,
                          fields={"role": [N_("You cannot change your own role.")]})
    agency = _agency_for_role(role, agency, current=user.agency)
    before, after = apply_changes(user, {"display_name": display_name, "email": email, "phone": phone,
                                         "role": role, "agency": agency, "locale": locale})
    db.session.flush()
    _record_change(user, "user", "update", actor=actor, before=before, after=after)


def set_user_active(user: User, active: bool, *, actor: User) -> None:
    """Deactivate a leaving user (they can no longer sign in) or bring them back."""
    if user.id == actor.id and not active:
        raise DomainError("own_account", N_("You cannot deactivate your own account."), status=422)
    _set_active(user, "user", active, actor=actor)


def reset_password(user: User, temporary_password: str, *, actor: User, now: datetime) -> None:
    """Set a temporary password that the user must replace at their next sign-in; their sessions and tokens end."""
    check_password_policy(temporary_password, user.username)
    user.set_password(temporary_password)
    before, after = apply_changes(user, {"must_change_password": True})
    ended = end_all_access(user, now=now)
    db.session.flush()
    # The trail records that the password changed, never the password or its hash.
    record_audit(actor=actor, action="user.reset_password", entity_type="user", entity_id=user.id,
                 before=before, after=after | {"password": "changed"} | ended, now=now)


def clear_sign_in_failures(kind: FailureKind, value: str, *, actor: User) -> None:
    """Lift the sign-in throttle of an account (a username) or a client address."""
    forget_sign_in_failures(kind, value)
    record_audit(actor=actor, action="sign_in_throttle.clear", entity_type=f"sign_in_{kind}", entity_id=value[:64])


# Agencies ------------------------------------------------------------------------------------

def agency_tree() -> dict[int | None, list[Agency]]:
    """Every agency, grouped by parent id (None: the top level), each group ordered by kind and code."""
    children: dict[int | None, list[Agency]] = {}
    for agency in db.session.scalars(sa.select(Agency).order_by(Agency.kind, Agency.code)):
        children.setdefault(agency.parent_id, []).append(agency)
    return children


def _check_parent(agency: Agency | None, parent: Agency | None) -> None:
    """An agency cannot sit under itself or under one of its own units."""
    ancestor = parent
    while ancestor is not None:
        if agency is not None and ancestor.id == agency.id:
            raise DomainError("agency_cycle", "An agency cannot sit under itself or its own units.", status=422,
                              fields={"parent": [N_("Cannot be this agency or one of its units.")]})
        ancestor = ancestor.parent


def create_agency(*, actor: User, code: str, name_zh: str, name_en: str, kind: str, parent: Agency | None,
                  email: str | None, sms_number: str | None) -> Agency:
    """Add a bureau, unit or district office."""
    code = code.strip().upper()
    if db.session.scalar(sa.select(Agency.id).where(Agency.code == code)) is not None:
        raise DomainError("duplicate_agency_code", f"Agency code {code} is taken.", status=422,
                          fields={"code": [N_("Already taken.")]})
    agency = Agency(code=code, name_zh=name_zh, name_en=name_en, kind=AgencyKind(kind), parent=parent,
                    email=email, sms_number=sms_number)
    db.session.add(agency)
    db.session.flush()
    record_audit(actor=actor, action="agency.create", entity_type="agency", entity_id=agency.id,
                 after=audit_snapshot(agency, AGENCY_AUDIT_FIELDS))
    return agency


def update_agency(agency: Agency, *, actor: User, name_zh: str, name_en: str, kind: str, parent: Agency | None,
                  email: str | None, sms_number: str | None) -> None:
    """Rename an agency, move it in the tree or change where its notifications go."""
    _check_parent(agency, parent)
    before, after = apply_changes(agency, {"name_zh": name_zh, "name_en": name_en, "kind": AgencyKind(kind),
                                           "parent": parent, "email": email, "sms_number": sms_number})
    db.session.flush()
    _record_change(agency, "agency", "update", actor=actor, before=before, after=after)


def set_agency_active(agency: Agency, active: bool, *, actor: User) -> None:
    """Deactivate an agency (it gets no new cases or staff) or bring it back."""
    _set_active(agency, "agency", active, actor=actor)


def routing_rules_naming(agency: Agency) -> list[RoutingRule]:
    """The routing rules that send cases to `agency`, in the order they are tried."""
    return db.session.scalars(
        sa.select(RoutingRule).where(RoutingRule.agency_id == agency.id).order_by(RoutingRule.position)
    ).all()


def categories_defaulting_to(agency: Agency) -> list[Category]:
    """The categories whose cases go to `agency` when no routing rule matches."""
    return db.session.scalars(
        sa.select(Category).where(Category.default_agency_id == agency.id).order_by(Category.sort_order)
    ).all()


def agencies_with_live_rules() -> set[int]:
    """Ids of agencies named by an active routing rule (the tree flags the deactivated ones among them)."""
    return set(db.session.scalars(sa.select(RoutingRule.agency_id).where(RoutingRule.active).distinct()))


# Categories ----------------------------------------------------------------------------------

def category_list(*, kind: str | None = None, active: bool | None = None, search: str | None = None) -> sa.Select:
    """Categories in the operator's picker order: by kind, sort order, then code."""
    stmt = sa.select(Category).order_by(Category.kind, Category.sort_order, Category.code)
    if kind:
        stmt = stmt.where(Category.kind == CaseKind(kind))
    if active is not None:
        stmt = stmt.where(Category.active.is_(active))
    if search:
        pattern = f"%{search.strip()}%"
        stmt = stmt.where(sa.or_(Category.code.ilike(pattern), Category.name_zh.ilike(pattern),
                                 Category.name_en.ilike(pattern)))
    return stmt


def _category_values(*, default_agency: Agency | None, sla_policy: SlaPolicy | None, kind: str,
                     open311_type: str, open311_attributes: object, **values) -> dict:
    """Check a category's references and Open311 questions; return the values ready to set."""
    active_agency_or_error(default_agency, field="default_agency")
    if sla_policy is None or not sla_policy.active:
        raise DomainError("sla_policy_required", "Choose an active SLA policy.", status=422,
                          fields={"sla_policy": [N_("Choose an active SLA policy.")]})
    return values | {
        "default_agency": default_agency, "sla_policy": sla_policy, "kind": CaseKind(kind),
        "open311_type": Open311Type(open311_type),
        "open311_attributes": load_open311_attributes(open311_attributes),
    }


def create_category(*, actor: User, code: str, **values) -> Category:
    """Add a dispatch item or petition category; nothing is saved when any value is refused."""
    code = code.strip()
    values = _category_values(**values)
    if db.session.scalar(sa.select(Category.id).where(Category.code == code)) is not None:
        raise DomainError("duplicate_category_code", f"Category code {code} is taken.", status=422,
                          fields={"code": [N_("Already taken.")]})
    category = Category(code=code, **values)
    db.session.add(category)
    db.session.flush()
    record_audit(actor=actor, action="category.create", entity_type="category", entity_id=category.id,
                 after=audit_snapshot(category, CATEGORY_AUDIT_FIELDS))
    return category


def update_category(category: Category, *, actor: User, **values) -> None:
    """Change a category's names, agency, SLA policy, Open311 definition or place in the picker."""
    before, after = apply_changes(category, _category_values(**values))
    db.session.flush()
    _record_change(category, "category", "update", actor=actor, before=before, after=after)


def set_category_active(category: Category, active: bool, *, actor: User) -> None:
    """Withdraw a category from new cases (old cases keep it) or bring it back."""
    _set_active(category, "category", active, actor=actor)
