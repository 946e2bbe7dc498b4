"""Account services on a real database: registration rules, login, roles."""
import pytest
from sqlalchemy import select

from ideaportal.auth import services
from ideaportal.errors import Conflict, Invalid
from ideaportal.extensions import db
from ideaportal.models import User
from tests import factories


def test_register_stores_an_argon2id_hash_and_lowercased_email(app):
    user = services.register(email=" Ada@Example.COM ", username="Ada_L", password="violet tractor umbrella")
    assert user.email == "ada@example.com"
    assert user.username == "Ada_L"
    assert user.password_hash.startswith("$argon2id$")
    assert "violet" not in user.password_hash


def test_email_is_unique_whatever_its_case(app):
    factories.user(email="sam@example.com", username="sam")
    with pytest.raises(Conflict) as raised:
        services.register(email="SAM@example.com", username="other", password="violet tractor umbrella")
    assert raised.value.field == "email"


def test_username_is_unique_whatever_its_case(app):
    factories.user(username="Sam")
    with pytest.raises(Conflict) as raised:
        services.register(email="new@example.com", username="sAM", password="violet tractor umbrella")
    assert raised.value.field == "username"


def test_database_refuses_a_case_variant_username_even_without_the_check(app):
    factories.user(username="Noor")
    db.session.add(User(email="x@example.com", username="NOOR", password_hash="h", role="member"))
    with pytest.raises(Exception):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("password", ["short", "password123", "1234567890"])
def test_register_refuses_weak_passwords(app, password):
    with pytest.raises(Invalid) as raised:
        services.register(email="weak@example.com", username="weak", password=password)
    assert raised.value.field == "password"
    assert db.session.scalar(select(User).where(User.email == "weak@example.com")) is None


def test_authenticate_accepts_the_right_password_in_any_email_case(app):
    user = factories.user(email="lee@example.com")
    assert services.authenticate(email="LEE@example.com", password=factories.PASSWORD).id == user.id


def test_authenticate_says_the_same_thing_for_unknown_email_and_wrong_password(app):
    factories.user(email="lee@example.com")
    with pytest.raises(Invalid) as wrong_password:
        services.authenticate(email="lee@example.com", password="not the password")
    with pytest.raises(Invalid) as unknown_email:
        services.authenticate(email="nobody@example.com", password="not the password")
    assert wrong_password.value.message == unknown_email.value.message == services.LOGIN_FAILED


def test_deactivated_accounts_cannot_log_in(app):
    user = factories.user(email="gone@example.com")
    user.is_active = False
    db.session.commit()
    with pytest.raises(Invalid):
        services.authenticate(email="gone@example.com", password=factories.PASSWORD)


def test_authenticate_upgrades_a_hash_made_with_weaker_parameters(app):
    user = factories.user(email="old@example.com")
    weak_hash = user.password_hash
    app.config["ARGON2_TIME_COST"] = 2
    try:
        services.authenticate(email="old@example.com", password=factories.PASSWORD)
    finally:
        app.config["ARGON2_TIME_COST"] = 1
    assert db.session.get(User, user.id).password_hash != weak_hash
