"""What the SLA and routing pages share: who may use them, and the category picker of their previews."""
import sqlalchemy as sa
from flask_babel import get_locale
from wtforms import SelectChoice

from casehub.auth.models import Role
from casehub.directory.models import Category
from casehub.extensions import db

MANAGERS = (Role.MANAGER, Role.ADMIN)


def category_choices(*, blank: str) -> list[SelectChoice]:
    """Active categories for a preview picker, dispatch items first, as the operator's picker orders them."""
    locale = str(get_locale())
    categories = db.session.scalars(sa.select(Category).where(Category.active)
                                    .order_by(Category.kind, Category.sort_order, Category.code))
    return [SelectChoice("", blank)] + [SelectChoice(category.id, category.name(locale)) for category in categories]
