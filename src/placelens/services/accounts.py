"""Accounts: signing up and signing in with argon2id password hashes, and a throttle that
slows down guessing (after ``MAX_FAILURES`` failed attempts for one address within
``THROTTLE_WINDOW`` every attempt is refused until the window has passed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from placelens.db.database import Database, flush_unique
from placelens.db.models import AuditEvent, LoginAttempt, User, utcnow
from placelens.errors import InputError, SignInError

MAX_FAILURES = 5
THROTTLE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 12
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class Account:
    """Who is signed in: what the services need to decide what they may see."""

    id: int
    email: str
    name: str
    is_hub_admin: bool = False


def _account(user: User) -> Account:
    return Account(user.id, user.email, user.name, user.is_hub_admin)


def check_email(email: str) -> str:
    text = (email or "").strip().lower()
    if len(text) > 254 or not _EMAIL.match(text):
        raise InputError("email", "Enter an email address in the correct format, like "
                         "name@example.org")
    return text


class AccountService:
    """Creates accounts and checks passwords."""

    def __init__(self, db: Database):
        self.db = db

    def sign_up(self, email: str, name: str, password: str) -> Account:
        address = check_email(email)
        name = (name or "").strip()
        if not 1 <= len(name) <= 120:
            raise InputError("name", "Enter your name (at most 120 characters)")
        if len(password or "") < MIN_PASSWORD:
            raise InputError("password", f"Password must be at least {MIN_PASSWORD} characters")
        with self.db.session() as session:
            if session.scalar(select(User).where(User.email == address)) is not None:
                raise InputError("email", "An account with this email address already exists")
            user = User(email=address, name=name, password_hash=_HASHER.hash(password))
            session.add(user)
            flush_unique(session, "email", "An account with this email address already exists")
            session.add(AuditEvent(user_id=user.id, action="sign_up", target=f"user:{user.id}"))
            return _account(user)

    def sign_in(self, email: str, password: str) -> Account:
        """The account for this address and password; :class:`SignInError` otherwise (the
        same message whether the address is unknown or the password wrong)."""
        address = (email or "").strip().lower()
        with self.db.session() as session:
            since = utcnow() - THROTTLE_WINDOW
            failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(
                LoginAttempt.email == address, LoginAttempt.at >= since)) or 0
            if failures >= MAX_FAILURES:
                raise SignInError("Too many failed sign-in attempts for this email address; "
                                  "try again in 15 minutes")
            user = session.scalar(select(User).where(User.email == address))
            if user is None or not _verify(user.password_hash, password or ""):
                session.add(LoginAttempt(email=address))
                raise_later = SignInError("Email address or password is not correct")
            else:
                session.execute(delete(LoginAttempt).where(LoginAttempt.email == address))
                return _account(user)
        raise raise_later  # raised after the session commits the failed attempt

    def by_email(self, email: str) -> Account:
        """The account with this address (for operator commands)."""
        with self.db.session() as session:
            user = session.scalar(select(User).where(User.email == check_email(email)))
            if user is None:
                raise InputError("email", f"No account with email address {email!r}")
            return _account(user)

    def get(self, user_id: int) -> Account | None:
        with self.db.session() as session:
            user = session.get(User, user_id)
            return _account(user) if user else None

    def make_hub_admin(self, email: str) -> Account:
        """Give an account the hub-admin role (run by the operator from the CLI)."""
        account = self.by_email(email)
        with self.db.session() as session:
            user = session.get(User, account.id)
            assert user is not None
            user.is_hub_admin = True
            session.add(AuditEvent(user_id=user.id, action="make_hub_admin",
                                   target=f"user:{user.id}"))
            return _account(user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
