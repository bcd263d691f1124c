"""Accounts: password hashing (argon2id), login with throttling, API tokens, and admin account management."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, func, or_, select

from matchmaker.domain.accounts import account_problems, login_delay_seconds, password_problems
from matchmaker.domain.errors import FieldError, MatchmakerError, NotFound, ValidationFailed
from matchmaker.domain.identifiers import IdentifierError, parse_credit_code
from matchmaker.domain.vocab import ROLE_LABELS
from matchmaker.services import institutions, sessions, versions
from matchmaker.services.permissions import Actor, authorize
from matchmaker.storage import audit, models
from matchmaker.storage.models import Company, Institution, LoginFailure, utcnow

#: The account row services hand out; pages name its type through here, never through storage.
User = models.User

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


#: What a stale-edit message calls each field of the account form.
USER_LABELS = {
    "display_name": "姓名", "email": "邮箱", "role": "角色", "is_active": "启用",
    "institution_id": "所属单位", "company_id": "所属企业",
}  # fmt: skip


class LoginThrottled(MatchmakerError):
    status = 429
    title = "登录尝试过于频繁"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_for(user: User) -> Actor:
    return Actor(
        id=user.id,
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        institution_id=user.institution_id,
        company_id=user.company_id,
    )


@dataclass(frozen=True)
class Throttle:
    """Failed logins count within ``window``. One user name from one client address gets ``max_failures`` free
    attempts, then a doubling delay; one address failing ``max_client_failures`` times (whatever names: password
    spraying) is refused until its failures age out of the window."""

    max_failures: int = 5
    window: timedelta = timedelta(hours=1)
    max_client_failures: int = 20


_dummy_hash: list[str] = []


def _burn_verification(password: str) -> None:
    """Verify against a throwaway hash, so an unknown name costs the same argon2 work as a known one and the
    answer's timing does not tell which names exist."""
    if not _dummy_hash:
        _dummy_hash.append(hash_password(secrets.token_urlsafe(16)))
    verify_password(_dummy_hash[0], password)


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    client: str,
    throttle: Throttle,
    now: datetime | None = None,
) -> User:
    """Check a login; see :class:`Throttle` for how guessing is slowed. Unknown names and wrong passwords get
    the same message and the same work."""
    username, client = username.strip()[:50], client[:64]
    now = now or utcnow()
    recent = select(LoginFailure.at).where(LoginFailure.at >= now - throttle.window)
    pair = session.exec(
        recent.where(LoginFailure.username == username, LoginFailure.client == client).order_by(
            col(LoginFailure.at).desc()
        )
    ).all()
    delay = login_delay_seconds(len(pair), free=throttle.max_failures)
    if delay and (now - pair[0]).total_seconds() < delay:
        wait = int(delay - (now - pair[0]).total_seconds()) + 1
        raise LoginThrottled(f"登录失败次数过多，请 {_wait_text(wait)}后再试")
    by_client = (
        session.exec(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.at >= now - throttle.window, LoginFailure.client == client)
        ).one()
        if client
        else 0
    )
    if by_client >= throttle.max_client_failures:
        raise LoginThrottled("登录失败次数过多，请稍后再试")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        _burn_verification(password)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        session.add(LoginFailure(username=username, client=client, at=now))
        session.commit()
        if user is not None and not user.is_active:
            raise ValidationFailed([FieldError("username", "该账号已停用，请联系管理员")])
        raise ValidationFailed([FieldError("password", "用户名或密码不正确")])
    session.exec(
        delete(LoginFailure).where(col(LoginFailure.username) == username, col(LoginFailure.client) == client)
    )
    user.last_login_at = now
    session.add(user)
    session.commit()
    return user


def _wait_text(seconds: int) -> str:
    return f"{seconds} 秒" if seconds < 120 else f"{(seconds + 59) // 60} 分钟"


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    email: str = "",
    institution_id: int | None = None,
    company_id: int | None = None,
) -> User:
    authorize(actor, "user.manage")
    username = username.strip()
    errors = account_problems(
        username=username, display_name=display_name, email=email, role=role, password=password
    )
    if session.exec(select(User).where(User.username == username)).first():
        errors.append(FieldError("username", f"用户名 {username} 已被使用"))
    errors.extend(_binding_problems(session, role, institution_id, company_id))
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=email.strip(),
        role=role,
        institution_id=institution_id if role == "researcher" else None,
        company_id=company_id if role == "sme" else None,
        password_hash=hash_password(password),
        must_change_password=True,  # the admin knows it; the user replaces it at first login
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="user",
        entity_id=user.id,
        action="create",
        new=f"{username}（{ROLE_LABELS[role]}）",
    )
    return user


def _binding_problems(
    session: Session, role: str, institution_id: int | None, company_id: int | None
) -> list[FieldError]:
    if role == "researcher" and (institution_id is None or session.get(Institution, institution_id) is None):
        return [FieldError("institution_id", "科研人员必须选择所属单位")]
    if role == "sme" and company_id is not None and session.get(Company, company_id) is None:
        return [FieldError("company_id", "所选企业不存在")]
    return []


def update_user(
    session: Session,
    actor: Actor,
    user_id: int,
    *,
    display_name: str,
    email: str,
    role: str,
    is_active: bool,
    institution_id: int | None,
    company_id: int | None,
    new_password: str = "",
    version: int | None = None,
) -> User:
    """Save the admin's account form; ``version`` is the account version the form was opened at."""
    authorize(actor, "user.manage")
    user = get_user(session, user_id)
    errors = account_problems(
        username=user.username, display_name=display_name, email=email, role=role, password=None
    )
    errors.extend(_binding_problems(session, role, institution_id, company_id))
    if new_password:
        errors.extend(password_problems(new_password, "new_password"))
    if actor.id == user.id and (not is_active or role != "admin"):
        errors.append(FieldError("role", "不能停用自己的账号或取消自己的管理员角色"))
    if errors:
        raise ValidationFailed(errors)
    before = {
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "is_active": user.is_active,
        "institution_id": user.institution_id,
        "company_id": user.company_id,
    }
    user.display_name = display_name.strip()
    user.email = email.strip()
    user.role = role
    user.is_active = is_active
    user.institution_id = institution_id if role == "researcher" else None
    user.company_id = company_id if role == "sme" else None
    after = {
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "is_active": user.is_active,
        "institution_id": user.institution_id,
        "company_id": user.company_id,
    }
    versions.check(
        session, user, version, entity="user", noun="账号", current=before, mine=after, labels=USER_LABELS
    )
    if new_password:
        user.password_hash = hash_password(new_password)
        user.must_change_password = True
        user.api_token_hash = None  # a reset is for a lost or leaked password: nothing issued before survives
        sessions.end_all(session, user_id)
        after["password"] = "（已重置）"
    if not is_active:
        sessions.end_all(session, user_id)
    session.add(user)
    audit.record_changes(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="user",
        entity_id=user_id,
        before=before,
        after=after,
    )
    return user


def change_own_password(
    session: Session, user: User, *, current: str, new: str, keep_session: str | None = None
) -> None:
    """Replace the password and end every other session of the user (``keep_session``: the browser asking)."""
    errors: list[FieldError] = []
    if not verify_password(user.password_hash, current):
        errors.append(FieldError("current_password", "当前密码不正确"))
    errors.extend(password_problems(new, "new_password"))
    if not errors and new == current:
        errors.append(FieldError("new_password", "新密码不能与当前密码相同"))
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    session.add(user)
    assert user.id is not None
    sessions.end_all(session, user.id, keep=keep_session)
    audit.record(
        session,
        user_id=user.id,
        username=user.username,
        entity="user",
        entity_id=user.id,
        action="update",
        field="password",
        new="（已修改）",
    )


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("账号不存在")
    return user


def binding_by_names(
    session: Session, *, institution: str, company_code: str
) -> tuple[int | None, int | None]:
    """The institution and company ids an operator names at the command line: an institution by any of its
    known names (aliases resolved), a company by its 统一社会信用代码. Empty text binds nothing."""
    institution_id = company_id = None
    if institution:
        resolution = institutions.normalizer(session).resolve(institution)
        inst = institutions.by_name(session, resolution.canonical) if resolution.canonical else None
        if inst is None:
            raise ValidationFailed([FieldError("institution", f"未知单位：{institution}")])
        institution_id = inst.id
    if company_code:
        try:
            code = parse_credit_code(company_code)
        except IdentifierError as exc:
            raise ValidationFailed([FieldError("company_code", exc.message)]) from exc
        company = session.exec(select(Company).where(Company.credit_code == code)).first()
        if company is None:
            raise ValidationFailed([FieldError("company_code", f"没有统一社会信用代码为 {code} 的企业")])
        company_id = company.id
    return institution_id, company_id


def list_users(session: Session, *, role: str = "", q: str = "") -> list[User]:
    """Accounts in id order, of one role if given, whose username or name contains ``q``."""
    stmt = select(User).order_by(col(User.id))
    if role:
        stmt = stmt.where(User.role == role)
    if q:
        stmt = stmt.where(or_(col(User.username).contains(q), col(User.display_name).contains(q)))
    return list(session.exec(stmt))


def own_account(session: Session, actor: Actor) -> User:
    """The signed-in actor's own account row (the command-line actor has none)."""
    if actor.id is None:
        raise NotFound("账号不存在")
    return get_user(session, actor.id)


def active_user(session: Session, user_id: int) -> User | None:
    """The signed-in user of a session cookie, or ``None`` once the account is gone or disabled."""
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


@dataclass(frozen=True)
class Affiliation:
    """Where a user works: the institution (researchers) or the company (SMEs), either may be unset."""

    institution: Institution | None
    company: Company | None


def affiliation(session: Session, user: User) -> Affiliation:
    return Affiliation(
        institution=session.get(Institution, user.institution_id) if user.institution_id else None,
        company=session.get(Company, user.company_id) if user.company_id else None,
    )


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(session: Session, actor: Actor, user: User) -> str:
    """A new token replaces the old one. Only its hash is kept, so it is shown exactly once."""
    authorize(actor, "user.token", user)
    token = "mm_" + secrets.token_urlsafe(32)
    user.api_token_hash = _token_digest(token)
    session.add(user)
    assert user.id is not None
    audit.record(
        session,
        user_id=actor.id,
        username=actor.username,
        entity="user",
        entity_id=user.id,
        action="update",
        field="api_token",
        new="（已重新生成）",
    )
    return token


def user_for_token(session: Session, token: str) -> User | None:
    if not token.startswith("mm_"):
        return None
    user = session.exec(select(User).where(User.api_token_hash == _token_digest(token))).first()
    return user if user is not None and user.is_active else None
