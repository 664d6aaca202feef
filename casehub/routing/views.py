"""The routing-rule pages, for managers and admins: the ordered rules, their edits, and a routing preview."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from casehub.auth.access import roles_required
from casehub.directory.models import Agency, Category, District
from casehub.extensions import db
from casehub.forms import form_page, set_active_from_form, submit_form
from casehub.models import utcnow
from casehub.routing.forms import RoutingPreviewForm, RuleForm
from casehub.routing.models import RoutingRule
from casehub.routing.services import create_rule, move_rule, route_case, set_rule_active, update_rule
from casehub.sla.pages import MANAGERS, category_choices

bp = Blueprint("routing", __name__, url_prefix="/admin/routing")
RULE_FIELDS = ["name", "category_id", "district_id", "keyword", "attribute_name", "attribute_value", "agency"]


def district_choices(*, blank: str) -> list[SelectChoice]:
    locale = str(get_locale())
    districts = db.session.scalars(sa.select(District).order_by(District.sort_order, District.code))
    return [SelectChoice("", blank)] + [SelectChoice(district.id, district.name(locale)) for district in districts]


def _prepare(form: RuleForm, rule: RoutingRule | None = None) -> None:
    locale = str(get_locale())
    form.category_id.choices = category_choices(blank=_("Any category"))
    form.district_id.choices = district_choices(blank=_("Any district"))
    agencies = db.session.scalars(sa.select(Agency).where(
        sa.or_(Agency.active, Agency.id == (rule.agency_id if rule else None))).order_by(Agency.code))
    form.agency.choices = [SelectChoice("", "—")] + [
        SelectChoice(agency.code, f"{agency.name(locale)} ({agency.code})") for agency in agencies]


def routing_preview() -> tuple[RoutingPreviewForm, dict | None]:
    """The preview form from the query string, and where such a case would go today."""
    form = RoutingPreviewForm(request.args)
    form.category.choices = category_choices(blank=_("Choose a category"))
    form.district.choices = district_choices(blank=_("No district"))
    if not request.args.get("category") or not form.validate():
        return form, None
    category = db.session.get(Category, form.category.data)
    district = db.session.get(District, form.district.data) if form.district.data else None
    name, value = (form.attribute_name.data or "").strip(), (form.attribute_value.data or "").strip()
    decision = route_case(category, district=district, description=form.description.data or "",
                          attributes={name: value} if name else {})
    return form, {"category": category, "district": district, "decision": decision}


@bp.route("/rules")
@roles_required(*MANAGERS)
def rules():
    rows = db.session.scalars(
        sa.select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)
        .options(selectinload(RoutingRule.agency), selectinload(RoutingRule.category),
                 selectinload(RoutingRule.district))).all()
    preview_form, preview = routing_preview()
    return render_template("routing/rules.html", rules=rows, preview_form=preview_form, preview=preview)


@bp.route("/rules/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new_rule():
    form = RuleForm()
    _prepare(form)
    if submit_form(form, lambda: create_rule(form.data, actor=current_user, now=utcnow())):
        flash(_("Routing rule added at the end of the order."), "info")
        return redirect(url_for("routing.rules"))
    return form_page(form, RULE_FIELDS, title=_("New routing rule"), back=url_for("routing.rules"))


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_rule(rule_id: int):
    rule = db.get_or_404(RoutingRule, rule_id)
    form = RuleForm(data={name: getattr(rule, name) for name in RULE_FIELDS if name != "agency"}
                    | {"agency": rule.agency.code})
    _prepare(form, rule)
    if submit_form(form, lambda: update_rule(rule, form.data | {"active": rule.active}, actor=current_user,
                                             now=utcnow())):
        flash(_("Saved."), "info")
        return redirect(url_for("routing.rules"))
    return form_page(form, RULE_FIELDS, title=rule.name, back=url_for("routing.rules"))


@bp.route("/rules/<int:rule_id>/move", methods=["POST"])
@roles_required(*MANAGERS)
def move(rule_id: int):
    move_rule(db.get_or_404(RoutingRule, rule_id), request.form.get("direction", ""), actor=current_user,
              now=utcnow())
    db.session.commit()
    return redirect(url_for("routing.rules"))


@bp.route("/rules/<int:rule_id>/active", methods=["POST"])
@roles_required(*MANAGERS)
def set_active(rule_id: int):
    return set_active_from_form(db.get_or_404(RoutingRule, rule_id), set_rule_active, url_for("routing.rules"),
                                now=utcnow())
