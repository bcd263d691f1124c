"""The one place where every write is checked against the actor's role and ownership.

Services call :func:`authorize` before they change anything; web handlers and CLI commands never check roles
by hand. Reading rules that hide fields (private contact, budget) live beside the records they protect, but
the *who may write what* table is here, so it can be read — and tested — in one sitting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matchmaker.domain.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, or the operator at the command line (``Actor.system()``)."""

    id: int | None
    username: str
    role: str
    display_name: str = ""
    institution_id: int | None = None
    company_id: int | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(id=None, username="system", role="admin", display_name="系统（命令行）")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _admin(actor: Actor, _resource: Any) -> bool:
    return actor.is_admin


def _roles(*roles: str) -> Callable[[Actor, Any], bool]:
    def check(actor: Actor, _resource: Any) -> bool:
        return actor.is_admin or actor.role in roles

    return check


def _own_institution(actor: Actor, resource: Any) -> bool:
    """The resource is an institution id, or anything with ``institution_id``."""
    institution_id = resource if isinstance(resource, int) else getattr(resource, "institution_id", None)
    return actor.is_admin or (actor.role == "researcher" and institution_id == actor.institution_id)


def _own_company(actor: Actor, resource: Any) -> bool:
    company_id = resource if isinstance(resource, int) else getattr(resource, "company_id", None)
    return actor.is_admin or (
        actor.role == "sme" and company_id is not None and company_id == actor.company_id
    )


def _sme_with_company(actor: Actor, _resource: Any) -> bool:
    return actor.is_admin or (actor.role == "sme" and actor.company_id is not None)


def _self(actor: Actor, resource: Any) -> bool:
    user_id = resource if isinstance(resource, int) else getattr(resource, "id", None)
    return actor.is_admin or (actor.id is not None and actor.id == user_id)


def _event_participant(actor: Actor, resource: Any) -> bool:
    """The resource is an EventParticipant: the researcher it names, or a user of the company it represents."""
    if actor.is_admin:
        return True
    if actor.role == "researcher":
        return actor.id is not None and getattr(resource, "user_id", None) == actor.id
    if actor.role == "sme":
        return actor.company_id is not None and getattr(resource, "company_id", None) == actor.company_id
    return False


def _request_party(actor: Actor, resource: Any) -> bool:
    """The resource names both sides of an accepted request (``institution_id`` of the offer, ``company_id``):
    the offer's researchers and the company's users are its two parties."""
    return _own_institution(actor, getattr(resource, "institution_id", None)) or _own_company(
        actor, getattr(resource, "company_id", None)
    )


def _request_party_or_organizer(actor: Actor, resource: Any) -> bool:
    return actor.role == "organizer" or _request_party(actor, resource)


def _job_owner(actor: Actor, resource: Any) -> bool:
    """The resource is a Job: the user who started it (or an admin) may watch and retry it."""
    return actor.is_admin or (actor.id is not None and getattr(resource, "owner_id", None) == actor.id)


#: action → rule(actor, resource). Actions not listed are refused.
POLICY: dict[str, Callable[[Actor, Any], bool]] = {
    # accounts and reference data
    "user.manage": _admin,
    "user.token": _self,
    "institution.manage": _admin,
    # offers (resource: institution id or the offer)
    "offer.create": _own_institution,
    "offer.edit": _own_institution,
    "offer.status": _own_institution,
    "offer.import": _roles("researcher"),
    "offer.import_any": _admin,
    # companies and needs (resource: company id or the need)
    "company.register": _roles("sme"),
    "company.edit": _own_company,
    "need.create": _own_company,
    "need.edit": _own_company,
    "need.status": _own_company,
    # the bureau imports 企业技术需求征集表 and company directories on behalf of companies
    "directory.import": _roles("bureau"),
    "request.create": _roles("sme"),
    # an SME takes a licence under an offer's open licence (the declaration is offer.edit)
    "licence.take": _sme_with_company,
    # a request is answered by the owning institution's researchers (resource: the offer)
    "request.answer": _own_institution,
    # after acceptance the two parties agree a time and place (resource: services.request_meetings.Parties)
    "request.meeting": _request_party,
    # the outcome is recorded by either party or an organizer, as for event meetings
    "request.outcome": _request_party_or_organizer,
    # an organizer pulls the accepted pair into an upcoming docking event
    "request.to_event": _roles("organizer"),
    # events
    "event.manage": _roles("organizer"),
    # a participant marks 必须见 / 愿意见 / 不见 on their own pairs (resource: the EventParticipant)
    "event.preference": _event_participant,
    "judgement.create": _roles("organizer"),
    # contracts and statistics
    "contract.manage": _roles("bureau"),
    "indicator.manage": _roles("bureau"),
    # the patent pledge register (质押登记), kept by the bureau
    "pledge.manage": _roles("bureau"),
    "bulletin.issue": _roles("bureau"),
    "stats.view": _roles("bureau", "organizer"),
    # background jobs (resource: the Job)
    "job.own": _job_owner,
    "index.rebuild": _admin,
}

DENIED_MESSAGES: dict[str, str] = {
    "offer.create": "只能为本单位发布专利成果",
    "offer.edit": "只能修改本单位的专利成果",
    "offer.status": "只能变更本单位专利成果的状态",
    "need.edit": "只能修改本企业的技术需求",
    "need.create": "只能为本企业发布技术需求",
    "need.status": "只能变更本企业技术需求的状态",
    "company.register": "只有企业技术人员可以登记企业",
    "directory.import": "只有知识产权局和管理员可以导入企业技术需求和企业名录",
    "request.create": "只有企业技术人员可以申请会谈",
    "licence.take": "只有已登记企业的企业技术人员可以取得开放许可",
    "request.answer": "只能处理本单位成果收到的会谈请求",
    "request.meeting": "只有会谈双方可以约定会谈时间和地点",
    "request.outcome": "只有会谈双方或对接会组织者可以记录会谈结果",
    "request.to_event": "只有对接会组织者可以把会谈纳入对接会",
    "contract.manage": "只有知识产权局可以登记或修改技术合同",
    "event.manage": "只有对接会组织者可以管理对接会",
    "pledge.manage": "只有知识产权局可以登记、变更或注销专利权质押",
    "bulletin.issue": "只有知识产权局可以发布定期通报",
    "event.preference": "只能为自己参加的会谈标记意愿",
    "user.manage": "只有管理员可以管理账号",
    "institution.manage": "只有管理员可以管理单位",
    "job.own": "只能查看或重试自己提交的任务",
    "index.rebuild": "只有管理员可以重建匹配索引",
}


def allowed(actor: Actor | None, action: str, resource: Any = None) -> bool:
    if actor is None:
        return False
    rule = POLICY.get(action)
    return bool(rule and rule(actor, resource))


def authorize(actor: Actor | None, action: str, resource: Any = None) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may perform ``action`` on ``resource``."""
    if actor is None:
        raise PermissionDenied("请先登录")
    if not allowed(actor, action, resource):
        raise PermissionDenied(DENIED_MESSAGES.get(action, "没有权限执行此操作"))
