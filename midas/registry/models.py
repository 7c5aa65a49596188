from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from midas.db import Base, UtcDateTime, enum_column, utc_now
from midas.registry.enums import ContactRole, OrganizationKind


# Search keys compare by code point on both databases (SQLite's BINARY; PostgreSQL's "C" collation), so a
# prefix search is a key range on a B-tree index whatever the server's locale.
def search_key(length: int) -> String:
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Organization(Base):
    """A company or institute taking part in the program, identified by its business registration number."""

    __tablename__ = "organization"
    __table_args__ = (
        CheckConstraint("employees >= 0", name="employees_not_negative"),
        CheckConstraint("annual_revenue_krw >= 0", name="revenue_not_negative"),
        CheckConstraint("founded_year BETWEEN 1800 AND 2100", name="founded_year_plausible"),
        # A filtered list is read in name order: each filter with the name key serves both WHERE and ORDER BY.
        Index("ix_organization_region_list", "region_code", "is_active", "name_key"),
        Index("ix_organization_kind_list", "kind", "is_active", "name_key"),
        Index("ix_organization_ksic_list", "ksic_code", "is_active", "name_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brn: Mapped[str] = mapped_column(search_key(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(search_key(200), index=True)
    name_en_key: Mapped[str | None] = mapped_column(search_key(200), index=True)
    kind: Mapped[OrganizationKind] = mapped_column(enum_column(OrganizationKind))
    ksic_code: Mapped[str] = mapped_column(String(5))
    region_code: Mapped[str] = mapped_column(String(2))
    employees: Mapped[int] = mapped_column(Integer)
    annual_revenue_krw: Mapped[int | None] = mapped_column(BigInteger)
    founded_year: Mapped[int | None] = mapped_column(Integer)
    representative: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    website: Mapped[str | None] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)

    factories: Mapped[list[Factory]] = relationship(back_populates="organization", order_by="Factory.id")
    contacts: Mapped[list[Contact]] = relationship(back_populates="organization", order_by="Contact.id")


class Factory(Base):
    """A production site of an organization."""

    __tablename__ = "factory"
    __table_args__ = (
        CheckConstraint("production_lines >= 0", name="production_lines_not_negative"),
        Index("ix_factory_region", "region_code"),
        # What a production record's (factory, organization) key refers to (a unique index, not a constraint:
        # SQLite adds an index without copying the table, which other tables refer to).
        Index("ix_factory_id_organization_id", "id", "organization_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(String(2))
    industrial_complex: Mapped[str | None] = mapped_column(String(200))
    # Main processes as a comma-separated list ("가공, 조립, 검사"): few, short, always read together.
    main_processes: Mapped[str] = mapped_column(String(500), default="")
    production_lines: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)

    organization: Mapped[Organization] = relationship(back_populates="factories")


class Contact(Base):
    """A person to talk to at an organization, with their role there."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[ContactRole] = mapped_column(enum_column(ContactRole))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    organization: Mapped[Organization] = relationship(back_populates="contacts")
