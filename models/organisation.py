"""The agency, its units (a tree) and its people with their chain of command."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class LicenseStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class EmploymentStatus(StrEnum):
    ACTIVE = "active"
    LEAVE = "leave"
    SEPARATED = "separated"


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64), default="America/Chicago")
    # The state rule pack (rulepacks/*.toml) its officers are measured against.
    rule_pack: Mapped[str] = mapped_column(String(40), default="MN-POST", server_default="MN-POST")
    # Approval routing settings: a request above the threshold, or with overnight travel,
    # needs a second level of approval.
    approval_cost_threshold_cents: Mapped[int] = mapped_column(Integer, default=50_000)
    approval_reminder_business_days: Mapped[int] = mapped_column(Integer, default=2)
    approval_escalation_business_days: Mapped[int] = mapped_column(Integer, default=5)
    # Certificate reviews and record error reports: coordinators are reminded after the first
    # period without a decision, administrators told after the second.
    certificate_reminder_business_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    certificate_escalation_business_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    # Coordinators, command staff and administrators always need MFA; officers when this is set.
    require_mfa_for_officers: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Officers appointed mid-cycle, where the rule pack leaves it to the agency (services/proration.py):
    # "none", "monthly" or "first_full_unit". Ignored under a pack with a rule of its own.
    proration_method: Mapped[str] = mapped_column(String(20), default="none", server_default="none")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Unit(Base):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # A retired unit stays for history (people's past periods, reports) but takes no one new.
    retired_on: Mapped[date | None] = mapped_column(Date)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class AgencyRank(Base):
    """One rank on the agency's list; position orders the list from top to bottom."""

    __tablename__ = "agency_rank"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer)


class Person(Base):
    """Anyone on the roster, sworn or civilian. Chain of command runs through supervisor_id."""

    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("agency_id", "badge_number"),
        Index("ix_person_agency_unit", "agency_id", "unit_id"),
        Index("ix_person_agency_name", "agency_id", "last_name", "first_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    rank: Mapped[str] = mapped_column(String(50))
    badge_number: Mapped[str] = mapped_column(String(30))
    license_number: Mapped[str | None] = mapped_column(String(30), unique=True)
    license_date: Mapped[date | None] = mapped_column(Date)
    license_status: Mapped[str] = mapped_column(String(12), default=LicenseStatus.ACTIVE,
                                                server_default=LicenseStatus.ACTIVE)
    email: Mapped[str] = mapped_column(String(254))
    employment_status: Mapped[str] = mapped_column(String(20), default=EmploymentStatus.ACTIVE)
    hired_on: Mapped[date | None] = mapped_column(Date)
    separated_on: Mapped[date | None] = mapped_column(Date)
    part_time: Mapped[bool] = mapped_column(Boolean, default=False)

    unit: Mapped[Unit | None] = relationship()
    supervisor: Mapped[Person | None] = relationship(remote_side=[id])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self) -> str:
        return f"{self.rank} {self.first_name} {self.last_name}"


class EmploymentPeriod(Base):
    """One spell of employment at the agency; a re-hire opens a new one."""

    __tablename__ = "employment_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    part_time: Mapped[bool] = mapped_column(Boolean, default=False)
    end_reason: Mapped[str | None] = mapped_column(String(200))
