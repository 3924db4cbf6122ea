"""Dashboard users: an email, an argon2 password hash, a role, and a login throttle.

Roles: `owner` and `admin` may act (credit, debit, approve, change settings…);
`viewer` sees everything and moves nothing. A user made with a one-time password
(the first `billfold serve`) must set a new one at first login. Five wrong passwords
lock the login for 15 minutes; the count lives in the database, so it holds across
restarts and server processes. Every refusal of a login says the same thing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, select, update

from billfold.errors import BillfoldError, Code, refusal, require
from billfold.ids import new_id
from billfold.ledger import stores
from billfold.store.tables import dashboard_sessions, dashboard_users

ROLES = ("owner", "admin", "viewer")
ACTING_ROLES = frozenset({"owner", "admin"})
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
MAX_FAILED_LOGINS = 5
LOCK = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


@dataclass(frozen=True, slots=True)
class User:
    id: str
    store_id: str
    email: str
    role: str
    must_change_password: bool

    @property
    def can_act(self) -> bool:
        return self.role in ACTING_ROLES


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: object) -> str:
    require(isinstance(password, str)
            and MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH,
            f"A password is {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
            param="password")
    return password  # type: ignore[return-value]


def create_user(conn: Connection, *, store_id: str, email: str, password: str, role: str,
                now: datetime, must_change_password: bool = False) -> User:
    stores.get_store(conn, store_id)
    require(isinstance(email, str) and "@" in email and 3 <= len(email) <= 200,
            "email must be an email address.", param="email")
    require(role in ROLES, f"role is one of {', '.join(ROLES)}.", param="role")
    check_password(password)
    email = email.strip().lower()
    taken = conn.execute(select(dashboard_users.c.user_id).where(
        dashboard_users.c.email == email)).first()
    if taken is not None:
        raise refusal(Code.USER_EXISTS, f"A user {email!r} exists.", param="email")
    user_id = new_id("usr")
    conn.execute(dashboard_users.insert().values(
        store_id=store_id, user_id=user_id, email=email, password_hash=_HASHER.hash(password),
        role=role, must_change_password=must_change_password, failed_logins=0,
        locked_until=None, created_at=now))
    return User(user_id, store_id, email, role, must_change_password)


def log_in(conn: Connection, *, email: str, password: str, now: datetime) -> str | None:
    """A new session token for the user, or None: a wrong email or password, or a login
    locked after too many wrong passwords (the caller refuses all alike, with
    `refuse_login`). A wrong password is counted in this transaction: commit it."""
    row = conn.execute(select(dashboard_users).where(
        dashboard_users.c.email == str(email).strip().lower()).with_for_update()).first()
    if row is None:
        _verify(_DUMMY_HASH, str(password))  # the same work as for a known email
        return None
    if row.locked_until is not None and row.locked_until > now:
        return None
    if not _verify(row.password_hash, str(password)):
        failed = row.failed_logins + 1
        conn.execute(update(dashboard_users).where(
            dashboard_users.c.user_id == row.user_id).values(
            failed_logins=0 if failed >= MAX_FAILED_LOGINS else failed,
            locked_until=now + LOCK if failed >= MAX_FAILED_LOGINS else row.locked_until))
        return None
    conn.execute(update(dashboard_users).where(dashboard_users.c.user_id == row.user_id)
                 .values(failed_logins=0, locked_until=None))
    token = secrets.token_urlsafe(32)
    conn.execute(dashboard_sessions.insert().values(
        token_hash=token_digest(token), store_id=row.store_id, user_id=row.user_id,
        csrf_token=secrets.token_urlsafe(32), expires_at=now + SESSION_LIFETIME,
        created_at=now))
    return token


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def refuse_login() -> BillfoldError:
    return refusal(Code.INVALID_LOGIN, "Wrong email or password, or too many tries; "
                   "wait 15 minutes after five wrong passwords.")


def session_of(conn: Connection, token: str | None, now: datetime) -> Session | None:
    if not token:
        return None
    row = conn.execute(
        select(dashboard_sessions, dashboard_users.c.email, dashboard_users.c.role,
               dashboard_users.c.must_change_password)
        .select_from(dashboard_sessions.join(
            dashboard_users, dashboard_users.c.user_id == dashboard_sessions.c.user_id))
        .where(dashboard_sessions.c.token_hash == token_digest(token))).first()
    if row is None or row.expires_at <= now:
        return None
    user = User(row.user_id, row.store_id, row.email, row.role,
                bool(row.must_change_password))
    return Session(user, row.csrf_token, row.expires_at)


def csrf_ok(session: Session, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(session.csrf_token, sent)


def log_out(conn: Connection, token: str) -> None:
    conn.execute(delete(dashboard_sessions).where(
        dashboard_sessions.c.token_hash == token_digest(token)))


def set_password(conn: Connection, *, user_id: str, password: str) -> None:
    check_password(password)
    conn.execute(update(dashboard_users).where(dashboard_users.c.user_id == user_id).values(
        password_hash=_HASHER.hash(password), must_change_password=False))
