"""Password rules follow NIST SP 800-63B: length and a common-password check, no composition rules."""

import pytest

from app.accounts.passwords import WeakPassword, check_new_password, hash_password, verify_password


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "at least 12 characters"),
        ("passwordpassword", "too common"),
        ("123456789012", "too common"),
        ("qwertyuiopasdf", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("x" * 257, "at most 256"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, message):
    with pytest.raises(WeakPassword, match=message):
        check_new_password(password)


def test_a_password_made_of_the_persons_own_name_is_refused():
    with pytest.raises(WeakPassword):
        check_new_password("sarahjones2026", email="sarah.jones@newham.gov.uk", display_name="Sarah Jones")


@pytest.mark.parametrize("password", ["correct horse battery staple", "purple-otter-drinks-tea", "ünïcødé pässphrase 🌈 ok", "x" * 3 + " long enough words here"])
def test_long_passphrases_need_no_digits_or_symbols(password):
    check_new_password(password)


def test_hashes_are_argon2id_and_verify_only_the_right_password():
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery staple")
    assert not verify_password(stored, "correct horse battery stapl")
    assert not verify_password(None, "anything at all here")
    assert not verify_password("not-a-hash", "anything at all here")
