"""One password policy: length 12-128, any printable characters, no common passwords, no username."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import WebSession
from services.passwords import banned_passwords, password_problem
from tests.security.support import audit_rows, password_step
from tests.support import PASSWORD


def _common_long_password() -> str:
    return next(word for word in sorted(banned_passwords()) if len(word) >= 12)


def test_banned_list_holds_the_ten_thousand_most_common_passwords() -> None:
    assert len(banned_passwords()) >= 3_000
    assert {"password", "123456", "qwerty"} <= banned_passwords()


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short pass", "at least 12"),
        ("x" * 129, "at most 128"),
        ("tab\tinside password", "printable"),
        ("my name is officer1 ok", "username"),
        ("MY NAME IS OFFICER1 OK", "username"),
    ],
)
def test_policy_refuses(password: str, fragment: str) -> None:
    problem = password_problem(password, "officer1")
    assert problem is not None and fragment in problem


def test_policy_refuses_common_passwords_whatever_their_case() -> None:
    common = _common_long_password()
    assert "most common" in (password_problem(common.upper(), "someone") or "")


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,  # the test users' 28 characters
        "lakeview-demo-2026",  # the demo password
        "Ünïcödé pässwörd ✓ 日本語のパスワード" + "ж" * (64 - 27),
        "y" * 128,
        "just twelve!",
    ],
)
def test_policy_accepts_long_unicode_and_spaces_without_composition_rules(password: str) -> None:
    assert password_problem(password, "officer1") is None


def test_sixty_four_character_unicode_password_is_exactly_allowed() -> None:
    password = "Пароль с пробелами и юникодом 🚓 " * 2
    assert len(password) == 64 and password_problem(password, "officer1") is None


async def test_change_password_needs_the_current_one_and_is_audited(browsers, demo_org, session_factory):
    browser = await browsers("officer1")
    form = await browser.get("/account/password")
    assert form.status_code == 200 and 'name="_csrf_token"' in form.text

    new = "a brand new passphrase"
    wrong = await browser.post("/account/password", {"current_password": "not it", "new_password": new,
                                                     "confirm_password": new})
    assert "not your current password" in wrong.text
    too_short = await browser.post("/account/password", {"current_password": PASSWORD, "new_password": "short",
                                                         "confirm_password": "short"})
    assert "at least 12" in too_short.text
    [refused] = await audit_rows(session_factory, "password.change")
    assert refused.outcome == "failure" and "not it" not in str(refused.detail)


async def test_change_password_revokes_other_sessions_keeps_this_one(browsers, demo_org, session_factory):
    browser = await browsers("officer1")
    other = await browsers("officer1")
    new = "a brand new passphrase"
    response = await browser.post("/account/password", {"current_password": PASSWORD, "new_password": new,
                                                        "confirm_password": new})
    assert response.status_code == 303
    assert (await browser.get("/requests")).status_code == 200
    assert (await other.get("/requests")).status_code == 303
    [row] = [r for r in await audit_rows(session_factory, "password.change") if r.outcome == "success"]
    assert new not in str(row.detail)
    fresh = await browsers(None)
    assert (await password_step(fresh, "officer1", PASSWORD)).status_code == 401
    assert (await password_step(fresh, "officer1", new)).status_code == 303
    async with session_factory() as session:
        live = list(await session.scalars(select(WebSession).where(WebSession.revoked_at.is_(None))))
    assert len(live) == 2  # this browser and the fresh sign-in
