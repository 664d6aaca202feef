"""Administration pages: parse the form, call the service, commit, render. Admins manage users, agencies and
API keys; managers (and admins) manage categories and read the audit trail."""
import json

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from casehub.admin import services
from casehub.admin.forms import (AGENCY_KIND_LABELS, ALL, AgencyCreateForm, AgencyForm, ApiKeyForm,
                                 AuditFilterForm, CategoryCreateForm, CategoryFilterForm, CategoryForm,
                                 PasswordForm, UserCreateForm, UserFilterForm, UserForm)
from casehub.audit.services import audit_entries, audit_filter_choices
from casehub.auth.access import roles_required
from casehub.auth.models import ApiKey, ApiToken, Role, User
from casehub.auth.services import issue_api_key, revoke_api_key, revoke_token, token_list
from casehub.auth.throttle import FailureKind, recent_sign_in_failures, sign_in_failures
from casehub.directory.models import Agency, Category
from casehub.extensions import db
from casehub.forms import form_page, set_active_from_form, submit_form
from casehub.models import utcnow
from casehub.pagination import paginate, requested_page
from casehub.sla.models import SlaPolicy

bp = Blueprint("admin", __name__, url_prefix="/admin")

ADMINS = (Role.ADMIN,)
MANAGERS = (Role.MANAGER, Role.ADMIN)
BLANK = SelectChoice("", "—")


def _locale() -> str:
    return str(get_locale())


def _agency_choices(*, active_only: bool, keep: Agency | None = None, exclude: Agency | None = None) -> list:
    """Agencies for a picker, by code; `keep` stays offered even when deactivated (it is the current value)."""
    stmt = sa.select(Agency).order_by(Agency.code)
    if active_only:
        stmt = stmt.where(sa.or_(Agency.active, Agency.id == (keep.id if keep else None)))
    return [SelectChoice(agency.id, f"{agency.name(_locale())} ({agency.code})")
            for agency in db.session.scalars(stmt) if agency is not exclude]


def _form_data(obj, names: list[str], **overrides) -> dict:
    """A form's starting values from `obj`; pickers get ids through `overrides`."""
    return {name: getattr(obj, name) for name in names} | overrides


def _filters(form: FlaskForm) -> dict:
    """A filter form's values, a value that fails validation (a hand-edited URL) counting as no filter."""
    form.validate()
    return {name: None if field.errors else field.data or None for name, field in form._fields.items()}


def _active_filter(value: str | None) -> bool | None:
    return {"active": True, "inactive": False}.get(value or "")


@bp.route("/")
@roles_required(*MANAGERS)
def index():
    return render_template("admin/index.html")


# Users ---------------------------------------------------------------------------------------

USER_FIELDS = ["display_name", "email", "phone", "role", "agency", "locale"]


def _user_values(form: UserForm) -> dict:
    return {"display_name": form.display_name.data, "email": form.email.data, "phone": form.phone.data,
            "role": form.role.data, "agency": db.session.get(Agency, form.agency.data) if form.agency.data else None,
            "locale": form.locale.data or None}


@bp.route("/users")
@roles_required(*ADMINS)
def users():
    form = UserFilterForm(request.args)
    form.agency.choices = [ALL] + _agency_choices(active_only=False)
    filters = _filters(form)
    stmt = services.user_list(search=filters["q"], role=filters["role"], agency_id=filters["agency"],
                              active=_active_filter(filters["status"]))
    return render_template("admin/users.html", form=form, page=paginate(stmt, requested_page()))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def new_user():
    form = UserCreateForm()
    form.agency.choices = [BLANK] + _agency_choices(active_only=True)
    created = {}

    def create():
        created["user"] = services.create_staff_user(actor=current_user, username=form.username.data,
                                                     password=form.password.data, **_user_values(form))

    if submit_form(form, create):
        flash(_("Created %(username)s. They must choose a new password when they first sign in.",
                username=created["user"].username), "info")
        return redirect(url_for("admin.users"))
    return form_page(form, ["username", *USER_FIELDS, "password", "confirm"], title=_("New user"),
                     back=url_for("admin.users"))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(data=_form_data(user, USER_FIELDS, agency=user.agency_id))
    form.agency.choices = [BLANK] + _agency_choices(active_only=True, keep=user.agency)
    if submit_form(form, lambda: services.update_user(user, actor=current_user, **_user_values(form))):
        flash(_("Saved."), "info")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    now = utcnow()
    return form_page(form, USER_FIELDS, title=user.username, back=url_for("admin.users"),
                     template="admin/user.html", user=user, now=now,
                     sign_in_failures=sign_in_failures(FailureKind.ACCOUNT, user.username, now=now))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(*ADMINS)
def set_user_active(user_id: int):
    user = db.get_or_404(User, user_id)
    return set_active_from_form(user, services.set_user_active, url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@roles_required(*ADMINS)
def unlock_user(user_id: int):
    user = db.get_or_404(User, user_id)
    services.clear_sign_in_failures(FailureKind.ACCOUNT, user.username, actor=current_user)
    db.session.commit()
    flash(_("Unlocked: %(username)s can sign in again.", username=user.username), "info")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required(*ADMINS)
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PasswordForm()
    if submit_form(form, lambda: services.reset_password(user, form.password.data, actor=current_user,
                                                         now=utcnow())):
        flash(_("Password reset. Give %(username)s the temporary password; they must change it when they "
                "next sign in.", username=user.username), "info")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return form_page(form, ["password", "confirm"], title=_("Reset the password of %(username)s",
                                                            username=user.username),
                     back=url_for("admin.edit_user", user_id=user.id))


# Bearer tokens and the sign-in throttle -------------------------------------------------------

@bp.route("/tokens")
@roles_required(*ADMINS)
def tokens():
    owner_id = request.args.get("user", type=int)
    owner = db.session.get(User, owner_id) if owner_id else None
    return render_template("admin/tokens.html", owner=owner, now=utcnow(),
                           page=paginate(token_list(user=owner), requested_page()))


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(*ADMINS)
def revoke_user_token(token_id: int):
    api_token = db.get_or_404(ApiToken, token_id)
    revoke_token(api_token, actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("Token revoked: programs using it are refused from now on."), "info")
    return redirect(url_for("admin.tokens"))


@bp.route("/sign-in-throttle")
@roles_required(*ADMINS)
def sign_in_throttle():
    now = utcnow()
    return render_template("admin/sign_in_throttle.html", failures=recent_sign_in_failures(now=now), now=now)


@bp.route("/sign-in-throttle/clear", methods=["POST"])
@roles_required(*ADMINS)
def clear_sign_in_throttle():
    try:
        kind = FailureKind(request.form.get("kind", ""))
    except ValueError:
        abort(400)
    value = request.form.get("value", "")
    services.clear_sign_in_failures(kind, value, actor=current_user)
    db.session.commit()
    flash(_("Cleared: %(value)s may sign in again without waiting.", value=value), "info")
    return redirect(url_for("admin.sign_in_throttle"))


# Agencies ------------------------------------------------------------------------------------

AGENCY_FIELDS = ["name_zh", "name_en", "kind", "parent", "email", "sms_number"]


def _agency_values(form: AgencyForm) -> dict:
    values = {name: form[name].data for name in AGENCY_FIELDS}
    values["parent"] = db.session.get(Agency, form.parent.data) if form.parent.data else None
    return values


@bp.route("/agencies")
@roles_required(*ADMINS)
def agencies():
    return render_template("admin/agencies.html", tree=services.agency_tree(),
                           with_live_rules=services.agencies_with_live_rules(), kind_labels=AGENCY_KIND_LABELS)


@bp.route("/agencies/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def new_agency():
    form = AgencyCreateForm(data={"parent": request.args.get("parent", type=int)})
    form.parent.choices = [BLANK] + _agency_choices(active_only=False)
    if submit_form(form, lambda: services.create_agency(actor=current_user, code=form.code.data,
                                                        **_agency_values(form))):
        flash(_("Agency added."), "info")
        return redirect(url_for("admin.agencies"))
    return form_page(form, ["code", *AGENCY_FIELDS], title=_("New agency"), back=url_for("admin.agencies"))


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def edit_agency(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = AgencyForm(data=_form_data(agency, AGENCY_FIELDS, parent=agency.parent_id))
    form.parent.choices = [BLANK] + _agency_choices(active_only=False, exclude=agency)
    if submit_form(form, lambda: services.update_agency(agency, actor=current_user, **_agency_values(form))):
        flash(_("Saved."), "info")
        return redirect(url_for("admin.edit_agency", agency_id=agency.id))
    return form_page(form, AGENCY_FIELDS, title=f"{agency.name(_locale())} ({agency.code})",
                     back=url_for("admin.agencies"), template="admin/agency.html", agency=agency,
                     rules=services.routing_rules_naming(agency), categories=services.categories_defaulting_to(agency))


@bp.route("/agencies/<int:agency_id>/active", methods=["POST"])
@roles_required(*ADMINS)
def set_agency_active(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    return set_active_from_form(agency, services.set_agency_active, url_for("admin.edit_agency", agency_id=agency.id))


# Categories ----------------------------------------------------------------------------------

CATEGORY_FIELDS = ["name_zh", "name_en", "kind", "default_agency", "sla_policy", "is_public", "group", "keywords",
                   "sort_order", "description", "open311_type", "open311_attributes"]


def _prepare_category_form(form: CategoryForm, category: Category | None = None) -> None:
    form.default_agency.choices = [BLANK] + _agency_choices(active_only=True,
                                                            keep=category.default_agency if category else None)
    policies = db.session.scalars(sa.select(SlaPolicy).where(SlaPolicy.active).order_by(SlaPolicy.code))
    form.sla_policy.choices = [BLANK] + [SelectChoice(policy.id, policy.name(_locale())) for policy in policies]


def _category_values(form: CategoryForm) -> dict:
    values = {name: form[name].data for name in CATEGORY_FIELDS}
    values["default_agency"] = db.session.get(Agency, form.default_agency.data) if form.default_agency.data else None
    values["sla_policy"] = db.session.get(SlaPolicy, form.sla_policy.data) if form.sla_policy.data else None
    return values


@bp.route("/categories")
@roles_required(*MANAGERS)
def categories():
    form = CategoryFilterForm(request.args)
    filters = _filters(form)
    stmt = services.category_list(kind=filters["kind"], active=_active_filter(filters["status"]),
                                  search=filters["q"])
    return render_template("admin/categories.html", form=form, page=paginate(stmt, requested_page()))


@bp.route("/categories/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_category():
    form = CategoryCreateForm()
    _prepare_category_form(form)
    if submit_form(form, lambda: services.create_category(actor=current_user, code=form.code.data,
                                                          **_category_values(form))):
        flash(_("Category added."), "info")
        return redirect(url_for("admin.categories"))
    return form_page(form, ["code", *CATEGORY_FIELDS], title=_("New category"), back=url_for("admin.categories"))


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_category(category_id: int):
    category = db.get_or_404(Category, category_id)
    form = CategoryForm(data=_form_data(category, CATEGORY_FIELDS, default_agency=category.default_agency_id,
                                        sla_policy=category.sla_policy_id))
    _prepare_category_form(form, category)
    if submit_form(form, lambda: services.update_category(category, actor=current_user, **_category_values(form))):
        flash(_("Saved."), "info")
        return redirect(url_for("admin.edit_category", category_id=category.id))
    return form_page(form, CATEGORY_FIELDS, title=f"{category.name(_locale())} ({category.code})",
                     back=url_for("admin.categories"), template="admin/category.html", category=category)


@bp.route("/categories/<int:category_id>/active", methods=["POST"])
@roles_required(*MANAGERS)
def set_category_active(category_id: int):
    category = db.get_or_404(Category, category_id)
    return set_active_from_form(category, services.set_category_active,
                                url_for("admin.edit_category", category_id=category.id))


# API keys ------------------------------------------------------------------------------------

@bp.route("/api-keys", methods=["GET", "POST"])
@roles_required(*ADMINS)
def api_keys():
    form = ApiKeyForm()
    issued = {}

    def issue():
        issued["key"] = issue_api_key(form.name.data, current_user)[1]

    saved = submit_form(form, issue)
    keys = db.session.scalars(sa.select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())).all()
    # The plain key is shown on this one response and never again, so it is rendered, not redirected.
    status = 422 if request.method == "POST" and not saved else 200
    return render_template("admin/api_keys.html", form=ApiKeyForm(formdata=None) if saved else form, keys=keys,
                           plain_key=issued.get("key")), status


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
@roles_required(*ADMINS)
def revoke_key(key_id: int):
    revoke_api_key(db.get_or_404(ApiKey, key_id), current_user)
    db.session.commit()
    flash(_("Key revoked: apps using it are refused from now on."), "info")
    return redirect(url_for("admin.api_keys"))


# Audit ---------------------------------------------------------------------------------------

@bp.app_template_filter("audit_value")
def audit_value_text(value: object) -> str:
    """An audited value for reading: text as it is, anything else as JSON with its Chinese intact."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@bp.route("/audit")
@roles_required(*MANAGERS)
def audit():
    form = AuditFilterForm(request.args)
    choices = audit_filter_choices()
    form.actor_id.choices = [ALL] + [SelectChoice(user.id, f"{user.display_name} ({user.username})")
                                     for user in choices["actors"]]
    form.entity_type.choices = [ALL] + [SelectChoice(value) for value in choices["entity_types"]]
    form.action.choices = [ALL] + [SelectChoice(value) for value in choices["actions"]]
    stmt = audit_entries(**_filters(form))
    return render_template("admin/audit.html", form=form, page=paginate(stmt, requested_page()))
