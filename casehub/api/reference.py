import sqlalchemy as sa
from flask_login import login_required

from casehub.api import bp
from casehub.directory.models import Agency, Category, District
from casehub.extensions import db


@bp.route("/categories")
@login_required
def list_categories():
    categories = db.session.scalars(sa.select(Category).where(Category.active).order_by(Category.sort_order,
                                                                                        Category.code))
    return {"items": [{"code": c.code, "name": c.name_zh, "name_en": c.name_en, "kind": c.kind.value,
                       "group": c.group, "keywords": c.keywords, "default_agency": c.default_agency.code,
                       "sla_policy": c.sla_policy.code, "public": c.is_public} for c in categories]}


@bp.route("/agencies")
@login_required
def list_agencies():
    agencies = db.session.scalars(sa.select(Agency).order_by(Agency.code))
    return {"items": [{"code": a.code, "name": a.name_zh, "name_en": a.name_en, "kind": a.kind.value,
                       "parent": a.parent.code if a.parent else None, "active": a.active} for a in agencies]}


@bp.route("/districts")
@login_required
def list_districts():
    districts = db.session.scalars(sa.select(District).order_by(District.sort_order))
    return {"items": [{"code": d.code, "name": d.name_zh, "name_en": d.name_en} for d in districts]}
