"""SQLModel tables. Money is integer 分 (``*_fen``); prices and budgets integer 万元 (``*_wan``).

Lists (IPC codes, inventors, transfer modes…) are JSON columns: they are read with their record and never
queried element by element, and JSON works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json(default: Any = None) -> Any:
    return Field(default_factory=(lambda: list(default or [])), sa_column=Column(JSON, nullable=False))


class Institution(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    canonical_name: str = Field(max_length=100, unique=True)
    short_name: str = Field(default="", max_length=50)
    kind: str = Field(default="", max_length=20)
    credit_code: str | None = Field(default=None, max_length=18)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class InstitutionAlias(SQLModel, table=True):
    __tablename__ = "institution_alias"
    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    alias: str = Field(max_length=100, unique=True)


class Company(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, index=True)
    credit_code: str = Field(max_length=18, unique=True)
    town: str = Field(default="", max_length=30)
    field: str = Field(default="", max_length=20)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    #: Bumped on every edit (storage/versions.py); a save based on an older version is refused.
    version: int = Field(default=1)
    username: str = Field(max_length=50, unique=True)
    display_name: str = Field(max_length=50)
    email: str = Field(default="", max_length=120)
    role: str = Field(max_length=20, index=True)
    institution_id: int | None = Field(default=None, foreign_key="institution.id")
    company_id: int | None = Field(default=None, foreign_key="company.id")
    password_hash: str = Field(max_length=200)
    is_active: bool = True
    #: sha256 of the API token; the token itself is shown once and never stored.
    api_token_hash: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    #: Set when an admin chose the password (new account, reset): the first login must replace it.
    must_change_password: bool = False


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries a random token whose sha256 is the key here, so logout, a password
    change or an admin's 全部下线 end a session by deleting its row, and a copied cookie dies with it."""

    __tablename__ = "user_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)


class LoginFailure(SQLModel, table=True):
    """Failed logins, kept so throttling survives restarts and works across worker processes."""

    __tablename__ = "login_failure"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=50, index=True)
    client: str = Field(default="", max_length=64)
    at: datetime = Field(default_factory=utcnow, index=True)


class Offer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    #: Bumped on every edit (storage/versions.py); a save based on an older version is refused.
    version: int = Field(default=1)
    title: str = Field(max_length=200)
    abstract: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    claims: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    application_number: str = Field(max_length=20)
    #: The bare 8/12 digits: two spellings of one patent share it, so it is unique.
    patent_key: str = Field(max_length=12, unique=True)
    patent_type: str = Field(max_length=10)
    legal_status: str = Field(max_length=10)
    ipc: list[str] = _json()
    inventors: list[str] = _json()
    institution_id: int = Field(foreign_key="institution.id", index=True)
    transfer_modes: list[str] = _json()
    price_wan: int | None = None
    #: Upper bound of an asking-price range in 万元 (price_wan is the lower); None for one figure or 面议.
    price_max_wan: int | None = None
    trl: int | None = None
    field: str = Field(default="", max_length=20, index=True)
    contact: str = Field(default="", max_length=100)
    status: str = Field(default="草稿", max_length=10, index=True)
    warnings: list[str] = _json()
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Need(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    #: Bumped on every edit (storage/versions.py); a save based on an older version is refused.
    version: int = Field(default=1)
    company_id: int = Field(foreign_key="company.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    expected_outcome: str = Field(default="", max_length=200)
    field: str = Field(default="", max_length=20, index=True)
    budget_min_wan: int | None = None
    budget_max_wan: int | None = None
    coop_modes: list[str] = _json()
    deadline: date | None = None
    contact: str = Field(default="", max_length=100)
    contact_public: bool = False
    budget_public: bool = False
    status: str = Field(default="开放", max_length=10, index=True)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class MeetingRequest(SQLModel, table=True):
    __tablename__ = "meeting_request"
    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offer.id", index=True)
    need_id: int | None = Field(default=None, foreign_key="need.id")
    company_id: int = Field(foreign_key="company.id", index=True)
    requested_by: int = Field(foreign_key="user.id")
    message: str = Field(default="", max_length=500)
    state: str = Field(default="待回复", max_length=10)
    decline_reason: str | None = Field(default=None, max_length=20)
    decline_note: str = Field(default="", max_length=500)
    responded_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    responded_at: datetime | None = None


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    text: str = Field(max_length=300)
    link: str = Field(default="", max_length=200)
    is_read: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Event(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    #: Bumped on every edit (storage/versions.py); a save based on an older version is refused.
    version: int = Field(default=1)
    name: str = Field(max_length=100)
    event_date: date
    venue: str = Field(default="", max_length=100)
    start_time: str = Field(max_length=5)  # "14:00"
    end_time: str = Field(max_length=5)
    slot_minutes: int = 20
    #: [["15:20", "15:40"], …]
    breaks: list[list[str]] = _json()
    tables: list[str] = _json()
    status: str = Field(default="筹备", max_length=10)
    min_meetings_per_participant: int = 1
    #: The event's theme: industry fields (the offers' and needs' vocabulary) and keywords its proposals keep to.
    theme_fields: list[str] = _json()
    theme_keywords: list[str] = _json()
    solve_info: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class EventParticipant(SQLModel, table=True):
    __tablename__ = "event_participant"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    name: str = Field(max_length=50)
    kind: str = Field(max_length=20)  # researcher | company
    institution_id: int | None = Field(default=None, foreign_key="institution.id")
    company_id: int | None = Field(default=None, foreign_key="company.id")
    #: Slot indexes the person can attend; null = all slots.
    available_slots: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    cap: int | None = None


class EventPair(SQLModel, table=True):
    """A candidate meeting of an event: one offer's researcher with one need's company."""

    __tablename__ = "event_pair"
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id")
    need_id: int | None = Field(default=None, foreign_key="need.id")
    researcher_id: int = Field(foreign_key="event_participant.id")
    company_participant_id: int = Field(foreign_key="event_participant.id")
    score: float = 0.0  # match score in [0, 1]; not money
    reasons: list[Any] = _json()
    source: str = Field(default="manual", max_length=20)  # manual | request | matcher
    excluded: bool = False
    preference: str | None = Field(default=None, max_length=10)  # 必须见 / 愿意见 / 不见
    #: Each side's own mark (set on 我的对接会); the scheduler obeys domain.events.effective_preference.
    researcher_preference: str | None = Field(default=None, max_length=10)
    company_preference: str | None = Field(default=None, max_length=10)


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    pair_id: int = Field(foreign_key="event_pair.id")
    slot: int
    table_index: int
    pinned_slot: bool = False
    pinned_table: bool = False
    published: bool = False
    attendance: str | None = Field(default=None, max_length=10)
    outcome: str | None = Field(default=None, max_length=10)
    note: str = Field(default="", max_length=500)


class Contract(SQLModel, table=True):
    __table_args__ = (
        Index("ix_contract_registered_on", "registered_on"),
        Index("ix_contract_voided_registered", "voided", "registered_on"),
    )
    id: int | None = Field(default=None, primary_key=True)
    #: Bumped on every edit (storage/versions.py); a save based on an older version is refused.
    version: int = Field(default=1)
    registration_number: str = Field(max_length=16, unique=True)
    title: str = Field(max_length=200)
    contract_type: str = Field(max_length=10, index=True)
    sub_type: str = Field(default="", max_length=30)
    seller_name: str = Field(max_length=100)
    seller_institution_id: int | None = Field(default=None, foreign_key="institution.id", index=True)
    buyer_name: str = Field(max_length=100)
    buyer_credit_code: str = Field(max_length=18)
    buyer_company_id: int | None = Field(default=None, foreign_key="company.id")
    amount_fen: int = Field(sa_type=BigInteger)
    technology_amount_fen: int = Field(sa_type=BigInteger)
    signed_on: date
    registered_on: date
    valid_from: date | None = None
    valid_to: date | None = None
    field: str = Field(default="", max_length=30, index=True)
    town: str = Field(default="", max_length=30, index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id", index=True)
    need_id: int | None = Field(default=None, foreign_key="need.id")
    event_id: int | None = Field(default=None, foreign_key="event.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    voided: bool = False
    void_reason: str = Field(default="", max_length=300)
    warnings: list[str] = _json()
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class ContractStat(SQLModel, table=True):
    """Registered, non-voided turnover summed per month × field × town × seller institution × type.

    Kept by database triggers (migration 0004) on every insert, update and delete of ``contract``, whoever
    writes it, so the dashboard groups a few thousand cells instead of scanning a million contracts.
    ``seller_institution_id`` 0 means the seller is not one of the institutions (a company).
    """

    __tablename__ = "contract_stat"
    __table_args__ = (
        UniqueConstraint("month", "field", "town", "seller_institution_id", "contract_type"),
        # One covering index per grouping: each breakdown reads its index in order, filters period, field and
        # town inside it, and never sorts or visits the table (migration 0004).
        *(
            Index(
                f"ix_contract_stat_by_{name}",
                lead,
                *[c for c in ("month", "field", "town") if c != lead],
                "contracts",
                "amount_fen",
                "technology_amount_fen",
            )
            for name, lead in (
                ("month", "month"),
                ("field", "field"),
                ("town", "town"),
                ("seller", "seller_institution_id"),
                ("type", "contract_type"),
            )
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    month: int  # yyyymm of the registration date
    field: str = Field(default="", max_length=30)
    town: str = Field(default="", max_length=30)
    seller_institution_id: int = 0
    contract_type: str = Field(max_length=10)
    contracts: int = 0
    amount_fen: int = Field(default=0, sa_type=BigInteger)
    technology_amount_fen: int = Field(default=0, sa_type=BigInteger)


class ContractRollup(SQLModel, table=True):
    """Registered, non-voided turnover per month × ONE dimension of ``contract_stat`` (field, town, seller
    institution, type): a few hundred rows each, so the unfiltered dashboard's breakdowns read those instead of
    regrouping ≈200,000 summary cells. Kept by triggers (migration 0006); ``item`` is the value as text (the
    seller's institution id, ``"0"`` for a company).
    """

    __tablename__ = "contract_rollup"
    __table_args__ = (UniqueConstraint("dimension", "month", "item"),)
    id: int | None = Field(default=None, primary_key=True)
    dimension: str = Field(max_length=12)  # field | town | institution | type
    month: int  # yyyymm of the registration date
    item: str = Field(default="", max_length=30)
    contracts: int = 0
    amount_fen: int = Field(default=0, sa_type=BigInteger)
    technology_amount_fen: int = Field(default=0, sa_type=BigInteger)


class Plan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=100)
    start_year: int
    end_year: int


class Indicator(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    code: str = Field(max_length=40)
    category: str = Field(max_length=20)
    name: str = Field(max_length=60)
    unit: str = Field(max_length=10)
    target: str = Field(max_length=30)  # exact decimal as text
    kind: str = Field(max_length=20)  # cumulative | annual | stock | level
    source: str = Field(default="manual", max_length=20)  # contracts | manual
    sort_order: int = 0
    note: str = Field(default="", max_length=300)


class IndicatorValue(SQLModel, table=True):
    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    year: int
    value: str = Field(max_length=30)  # exact decimal as text
    entered_by: int | None = Field(default=None, foreign_key="user.id")
    entered_at: datetime = Field(default_factory=utcnow)


class Judgement(SQLModel, table=True):
    """A person's verdict on a need–offer pair, used to evaluate and tune the matcher."""

    id: int | None = Field(default=None, primary_key=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    offer_id: int = Field(foreign_key="offer.id", index=True)
    label: str = Field(max_length=20)  # 好匹配 / 不相关 / 意向 / 签约 / 无果 / a decline reason
    grade: int  # 0, 1 or 2
    source: str = Field(max_length=20)  # organizer | meeting | request
    note: str = Field(default="", max_length=500)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    """Append-only trail: who changed which field of which record, old → new. Nothing updates or deletes it."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    username: str = Field(default="", max_length=50)
    entity: str = Field(max_length=30)
    entity_id: int
    action: str = Field(max_length=20)  # create | update | status | void | import | login …
    field: str = Field(default="", max_length=40)
    old: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    note: str = Field(default="", max_length=300)


class ImportProfile(SQLModel, table=True):
    """A confirmed column mapping and value answers for one import kind and source (an institution, the
    registration system …), applied automatically to the next file whose header has the mapped columns."""

    __tablename__ = "import_profile"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    name: str = Field(max_length=100)
    #: field → header text as the file writes it
    columns: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: vocabulary → {value key → platform value}
    answers: dict[str, dict[str, str]] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    institution_id: int | None = Field(default=None, foreign_key="institution.id")
    created_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)


class Pledge(SQLModel, table=True):
    """A patent pledge registration (专利权质押登记). Its secured amount counts in 知识产权质押融资 in the
    month it was registered, whatever its status later (a 注销 releases the pledge; the financing happened)."""

    __table_args__ = (Index("ix_pledge_registered_on", "registered_on"),)
    id: int | None = Field(default=None, primary_key=True)
    registration_number: str = Field(max_length=30, unique=True)
    pledgor_name: str = Field(max_length=100)
    pledgor_credit_code: str = Field(max_length=18, index=True)
    pledgor_company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    pledgee_name: str = Field(max_length=100, index=True)
    pledgee_kind: str = Field(max_length=10)
    #: [{"number": "201710601862.3", "main_ipc": "H01M 10/0525" | null}, …]
    patents: list[dict[str, Any]] = _json()
    amount_fen: int = Field(sa_type=BigInteger)
    registered_on: date
    debt_from: date | None = None
    debt_to: date | None = None
    status: str = Field(default="登记", max_length=10, index=True)
    changed_on: date | None = None
    cancelled_on: date | None = None
    field: str = Field(default="", max_length=20, index=True)
    town: str = Field(default="", max_length=30, index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id")
    contract_id: int | None = Field(default=None, foreign_key="contract.id")
    warnings: list[str] = _json()
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RequestMeeting(SQLModel, table=True):
    """The meeting an accepted request leads to: proposed times and a place, the other side's confirmation, or
    the organizer's move into a docking event; afterwards its outcome. One per request (migration 0030).

    ``options`` are local wall-clock times (Asia/Shanghai) as people typed them; ``starts_at`` is the chosen one as
    an aware datetime, like every other time in storage.
    """

    __tablename__ = "request_meeting"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="meeting_request.id", unique=True)
    state: str = Field(default="待确认", max_length=10, index=True)  # 待确认 / 已确认 / 已转入对接会
    #: one to three proposed start times, "YYYY-MM-DDTHH:MM"
    options: list[str] = _json()
    place: str = Field(default="", max_length=100)
    duration_minutes: int = 60
    proposed_by: int | None = Field(default=None, foreign_key="user.id")
    proposed_side: str = Field(default="", max_length=10)  # researcher | company
    proposed_at: datetime = Field(default_factory=utcnow)
    starts_at: datetime | None = Field(default=None, index=True)
    confirmed_by: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: datetime | None = None
    reminded_at: datetime | None = None
    event_id: int | None = Field(default=None, foreign_key="event.id")
    outcome: str | None = Field(default=None, max_length=10)
    outcome_note: str = Field(default="", max_length=500)
    outcome_by: int | None = Field(default=None, foreign_key="user.id")
    outcome_at: datetime | None = None


class Job(SQLModel, table=True):
    """Long work run by a worker (``services.jobs``): what it is, whose it is, how far it got, how it ended.

    The queue library only carries the id; this row is what the job page shows and what survives restarts."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    owner_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    state: str = Field(default="queued", max_length=10, index=True)  # queued | running | done | failed
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: The uploaded file (or other input) the job reads; cleared once the job is done.
    input: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    progress: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, index=True)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    heartbeat_at: datetime | None = None


class OpenLicence(SQLModel, table=True):
    """An offer declared open-licensed (专利开放许可) with its terms; withdrawn declarations are kept."""

    __tablename__ = "open_licence"
    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offer.id", unique=True)
    fee_model: str = Field(max_length=10)
    lump_sum_fen: int | None = Field(default=None, sa_type=BigInteger)
    #: royalty on sales in basis points (3.5% → 350)
    royalty_bp: int | None = None
    period_years: int
    scope: str = Field(max_length=200)
    declared_by: int | None = Field(default=None, foreign_key="user.id")
    declared_at: datetime = Field(default_factory=utcnow)
    withdrawn_at: datetime | None = None


class Licence(SQLModel, table=True):
    """A licence a company took under an open licence, with the terms as declared when it was taken."""

    id: int | None = Field(default=None, primary_key=True)
    open_licence_id: int = Field(foreign_key="open_licence.id")
    offer_id: int = Field(foreign_key="offer.id", index=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    need_id: int | None = Field(default=None, foreign_key="need.id")
    taken_by: int | None = Field(default=None, foreign_key="user.id")
    fee_model: str = Field(max_length=10)
    lump_sum_fen: int | None = Field(default=None, sa_type=BigInteger)
    royalty_bp: int | None = None
    period_years: int
    scope: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    contract_id: int | None = Field(default=None, foreign_key="contract.id")
    created_at: datetime = Field(default_factory=utcnow)


class Bulletin(SQLModel, table=True):
    """An issued 定期通报: its figures frozen as JSON when issued (amounts in 分), never recomputed."""

    __table_args__ = (UniqueConstraint("period_key"),)
    id: int | None = Field(default=None, primary_key=True)
    period_kind: str = Field(max_length=10)
    period_key: str = Field(max_length=10)
    title: str = Field(max_length=100)
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    issued_by: int | None = Field(default=None, foreign_key="user.id")
    issued_at: datetime = Field(default_factory=utcnow)


from matchmaker.storage import versions as _versions  # noqa: F401  (registers the version hook)
