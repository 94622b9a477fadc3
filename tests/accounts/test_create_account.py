"""Creating an account for a person on the roster: a mailed single-use link, never a password."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from models import PasswordResetToken, UserAccount, utcnow
from services.sign_in import token_digest
from tests.accounts.conftest import link_from
from tests.security.support import audit_rows, password_step

NEW = "a long and private passphrase"


async def test_admin_creates_account_the_person_sets_a_password_through_the_mailed_link_and_signs_in(
        browsers, demo_org, new_hire, mailbox, session_factory):
    admin = await browsers("admin1")
    form = await admin.get(f"/admin/accounts/new?person_id={new_hire}")
    assert form.status_code == 200 and 'value="zarnstrom"' in form.text and 'value="zoe@test.example"' in form.text

    done = await admin.post("/admin/accounts/new", {"person_id": str(new_hire), "username": "zarnstrom",
                                                    "email": "zoe@test.example", "roles": "officer"})
    assert done.status_code == 303
    [message] = mailbox.messages
    assert message["To"] == "zoe@test.example" and message["Subject"] == "Set your Muster password"
    assert "zarnstrom" in message.get_content() and "72 hours" in message.get_content()
    path = link_from(mailbox)
    token = path.rsplit("/", 1)[1]
    async with session_factory() as session:
        stored = list(await session.scalars(select(PasswordResetToken.token_hash)))
        account = await session.scalar(select(UserAccount).where(UserAccount.username == "zarnstrom"))
    assert stored == [token_digest(token)] and account is not None and account.person_id == new_hire
    page = await admin.get(done.headers["location"])
    assert "Awaiting password" in page.text and token not in page.text

    # No password works before the person sets one.
    stranger = await browsers(None)
    assert (await password_step(stranger, "zarnstrom", "")).status_code == 401

    person = await browsers(None)
    shown = await person.get(path)
    assert shown.status_code == 200 and "Set your password" in shown.text and "zarnstrom" in shown.text
    weak = await person.post(path, {"new_password": "password", "confirm_password": "password"})
    assert weak.status_code == 400 and "at least 12" in weak.text
    assert (await person.post(path, {"new_password": NEW, "confirm_password": NEW})).status_code == 303
    signed_in = await password_step(person, "zarnstrom", NEW)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    assert (await person.get("/requests")).status_code == 200

    # The link works once.
    again = await browsers(None)
    assert (await again.get(path)).status_code == 400
    assert (await again.post(path, {"new_password": NEW + "x", "confirm_password": NEW + "x"})).status_code == 400

    [created] = await audit_rows(session_factory, "account.create")
    assert created.detail["before"] is None
    assert created.detail["after"] == {"username": "zarnstrom", "person_id": new_hire, "active": True,
                                       "roles": ["officer"]}
    assert all(token not in str(row.detail) and NEW not in str(row.detail) for row in await audit_rows(session_factory))


async def test_set_password_link_expires_after_72_hours_and_resending_replaces_it(
        browsers, demo_org, new_hire, mailbox, session_factory):
    admin = await browsers("admin1")
    await admin.post("/admin/accounts/new", {"person_id": str(new_hire), "roles": "officer"})
    first = link_from(mailbox)
    async with session_factory() as session:
        link = await session.get_one(PasswordResetToken, token_digest(first.rsplit("/", 1)[1]))
        assert timedelta(hours=71, minutes=59) < link.expires_at - link.created_at <= timedelta(hours=72)
        account_id = link.user_id
    mailbox.messages.clear()

    assert (await admin.post(f"/admin/accounts/{account_id}/set-password-link")).status_code == 303
    second = link_from(mailbox)
    person = await browsers(None)
    assert (await person.get(first)).status_code == 400
    assert (await person.get(second)).status_code == 200

    async with session_factory() as session, session.begin():
        await session.execute(update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = await person.get(second)
    assert expired.status_code == 400 and "72 hours" in expired.text


async def test_blank_username_and_email_are_filled_from_the_roster(browsers, demo_org, new_hire, mailbox,
                                                                    session_factory):
    admin = await browsers("admin1")
    await admin.post("/admin/accounts/new", {"person_id": str(new_hire), "username": "", "email": "",
                                             "roles": "officer"})
    async with session_factory() as session:
        account = await session.scalar(select(UserAccount).where(UserAccount.person_id == new_hire))
    assert account is not None and account.username == "zarnstrom"
    assert mailbox.messages[0]["To"] == "zoe@test.example"


async def test_bad_form_is_shown_again_with_messages_and_the_typed_values(browsers, demo_org, new_hire, mailbox,
                                                                          session_factory):
    admin = await browsers("admin1")
    refused = await admin.post("/admin/accounts/new", {"person_id": str(new_hire), "username": "officer1",
                                                       "email": "not an address", "roles": "officer"})
    assert refused.status_code == 400
    assert "That username is taken" in refused.text and "Enter the person" in refused.text
    assert 'value="not an address"' in refused.text
    # A person who already has an account is not offered and is refused.
    taken = await admin.post("/admin/accounts/new", {"person_id": str(demo_org.officer2), "username": "omar",
                                                     "email": "o@test.example", "roles": "officer"})
    assert taken.status_code == 400 and "no account yet" in taken.text
    assert mailbox.messages == []
    async with session_factory() as session:
        assert await session.scalar(select(UserAccount).where(UserAccount.username == "omar")) is None


async def test_coordinator_creates_officer_account_but_cannot_grant_coordinator(browsers, demo_org, new_hire,
                                                                               mailbox, session_factory):
    coord = await browsers("coord1")
    form = await coord.get("/admin/accounts/new")
    assert form.status_code == 200 and 'value="coordinator"' not in form.text
    refused = await coord.post("/admin/accounts/new", {"person_id": str(new_hire), "username": "zoe",
                                                       "email": "zoe@test.example", "roles": "coordinator"})
    assert refused.status_code == 403 and "officer accounts only" in refused.text
    htmx = await coord.post("/admin/accounts/new", {"person_id": str(new_hire), "roles": ["officer", "admin"]},
                            htmx=True)
    assert htmx.status_code == 403 and "officer accounts only" in htmx.text and "<html" not in htmx.text
    assert mailbox.messages == []
    [denied, _] = await audit_rows(session_factory, "account.create")
    assert denied.outcome == "denied"

    made = await coord.post("/admin/accounts/new", {"person_id": str(new_hire), "username": "zoe",
                                                    "email": "zoe@test.example", "roles": "officer"})
    assert made.status_code == 303 and made.headers["location"] == "/admin/accounts/new?done=created"
    assert len(mailbox.messages) == 1
    listed = await coord.get("/admin/accounts/new")
    assert "Waiting for their password" in listed.text and "zoe" in listed.text
    async with session_factory() as session:
        account = await session.scalar(select(UserAccount).where(UserAccount.username == "zoe"))
    assert account is not None and account.role_names == {"officer"}
    # The coordinator may send an officer's link again, never an administrator's.
    mailbox.messages.clear()
    assert (await coord.post(f"/admin/accounts/{account.id}/set-password-link")).status_code == 303
    assert len(mailbox.messages) == 1
    assert (await coord.post(f"/admin/accounts/{demo_org.users['admin1']}/set-password-link")).status_code == 403
    assert (await coord.get(f"/admin/accounts/{account.id}")).status_code == 403
