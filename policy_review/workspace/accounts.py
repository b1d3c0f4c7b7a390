"""Passwords (argon2), API tokens and session tokens: only hashes are ever stored."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from policy_review.errors import PolicyReviewError
from policy_review.workspace.store import Store, User

MIN_PASSWORD_CHARS = 8
MAX_NAME_CHARS = 100
TOKEN_BYTES = 32
_hasher = PasswordHasher()


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def add_user(store: Store, name: str, password: str) -> User:
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS or not name.isprintable():
        raise PolicyReviewError(f"a user name is 1 to {MAX_NAME_CHARS} printable characters")
    if len(password) < MIN_PASSWORD_CHARS:
        raise PolicyReviewError(f"the password must be at least {MIN_PASSWORD_CHARS} characters")
    return store.add_user(name, _hasher.hash(password))


def issue_token(store: Store, name: str) -> str:
    """A new API token for an existing user; shown once, stored only as its hash."""
    found = store.user_with_password(name)
    if found is None:
        raise PolicyReviewError(f"no user named {name!r}; add one with 'policy-review user add'")
    token = new_token()
    store.add_token(found[0], token_hash(token))
    return token


def sign_in(store: Store, name: str, password: str) -> User | None:
    """The user when the password is right; a stale hash is upgraded on the way."""
    found = store.user_with_password(name)
    if found is None:
        _hasher.hash(password)  # as slow as a real check, so timing does not reveal names
        return None
    user, stored = found
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(stored):
        store.set_password_hash(user, _hasher.hash(password))
    return user
