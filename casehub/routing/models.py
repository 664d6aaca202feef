"""Ordered routing rules: category x district (x keyword, asset attribute) -> agency."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casehub.directory.models import Agency, Category, District
from casehub.extensions import db
from casehub.models import utcnow


class RoutingRule(db.Model):
    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"))
    keyword: Mapped[str | None] = mapped_column(sa.String(100))
    attribute_name: Mapped[str | None] = mapped_column(sa.String(64))
    attribute_value: Mapped[str | None] = mapped_column(sa.String(200))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    category: Mapped[Category | None] = relationship()
    district: Mapped[District | None] = relationship()
    agency: Mapped[Agency] = relationship()
