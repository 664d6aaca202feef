"""The city's structure: agencies, districts and the case category catalogue."""
import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casehub.extensions import db
from casehub.models import enum_column, utcnow


class AgencyKind(enum.StrEnum):
    BUREAU = "bureau"
    UNIT = "unit"
    DISTRICT_OFFICE = "district_office"
    DISPATCH_CENTER = "dispatch_center"


class CaseKind(enum.StrEnum):
    DISPATCH = "dispatch"
    PETITION = "petition"


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(150))
    kind: Mapped[AgencyKind] = mapped_column(enum_column(AgencyKind, "agency_kind"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    sms_number: Mapped[str | None] = mapped_column(sa.String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["Agency | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Agency"]] = relationship(back_populates="parent")

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class District(db.Model):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(60))
    sort_order: Mapped[int] = mapped_column(default=0)
    office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))

    office: Mapped[Agency | None] = relationship()

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class Open311Type(enum.StrEnum):
    REALTIME = "realtime"
    BATCH = "batch"
    BLACKBOX = "blackbox"


class Category(db.Model):
    """A dispatch item or petition category; public ones are the Open311 services."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(150))
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind, "case_kind"))
    default_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    sla_policy_id: Mapped[int] = mapped_column(sa.ForeignKey("sla_policies.id"))
    is_public: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    group: Mapped[str | None] = mapped_column(sa.String(100))
    keywords: Mapped[list] = mapped_column(default=list)
    description: Mapped[str | None] = mapped_column(sa.Text)
    open311_type: Mapped[Open311Type] = mapped_column(
        enum_column(Open311Type, "open311_type"), default=Open311Type.REALTIME
    )
    # Open311 attribute definitions: the extra questions an app asks for this service.
    open311_attributes: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    default_agency: Mapped[Agency] = relationship()
    sla_policy: Mapped["SlaPolicy"] = relationship()  # noqa: F821 (casehub.sla.models)

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def __repr__(self) -> str:
        return f"<Category {self.code}>"
