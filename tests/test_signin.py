"""The sign-in rules that need a clock or a user of their own: the failure window, proxies."""

from __future__ import annotations

from dataclasses import replace

from playbook.server.signin import (
    FAILURE_WINDOW,
    FAILURES_ALLOWED,
    FailedSignIns,
    Passwords,
    TrustedProxies,
    basic_credentials,
)
from playbook.server.users import User, hash_password


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_are_forgiven_once_the_window_has_passed() -> None:
    clock = Clock()
    failures = FailedSignIns(clock)
    for _ in range(FAILURES_ALLOWED):
        failures.fail("10.0.0.1", "anna")
    assert failures.wait("10.0.0.1", "anna") > 0
    clock.now += FAILURE_WINDOW + 1
    assert failures.wait("10.0.0.1", "anna") == 0


def test_guessing_one_users_password_from_many_addresses_is_limited_too() -> None:
    failures = FailedSignIns(Clock())
    for i in range(FAILURES_ALLOWED):
        failures.fail(f"10.0.0.{i}", "anna")
    assert failures.wait("10.0.0.99", "anna") > 0
    assert failures.wait("10.0.0.99", "bernd") == 0


def test_a_changed_password_stops_the_remembered_one_from_working() -> None:
    passwords = Passwords()
    user = User(
        "anna", "Anna", "a@example.com", ("warsaw",), False, hash_password("old passphrase")
    )
    assert passwords.check(user, "old passphrase")
    changed = replace(user, password=hash_password("new passphrase"))
    assert not passwords.check(changed, "old passphrase")
    assert passwords.check(changed, "new passphrase")


def test_an_unknown_user_never_signs_in() -> None:
    assert not Passwords().check(None, "anything at all")


def test_a_trusted_network_is_trusted_and_its_neighbours_are_not() -> None:
    proxies = TrustedProxies(("10.1.0.0/16",))
    header = {"HTTP_X_FORWARDED_USER": "anna"}
    assert proxies.user_id({"REMOTE_ADDR": "10.1.2.3", **header}) == "anna"
    assert proxies.user_id({"REMOTE_ADDR": "10.2.2.3", **header}) is None
    assert (
        proxies.client({"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 5.6.7.8"})
        == "5.6.7.8"
    )
    assert (
        proxies.client({"REMOTE_ADDR": "10.2.2.3", "HTTP_X_FORWARDED_FOR": "5.6.7.8"}) == "10.2.2.3"
    )


def test_malformed_basic_credentials_are_no_credentials() -> None:
    assert basic_credentials({"HTTP_AUTHORIZATION": "Basic not-base64!"}) is None
    assert basic_credentials({"HTTP_AUTHORIZATION": "Basic YW5uYQ=="}) is None  # no colon
    assert basic_credentials({"HTTP_AUTHORIZATION": "Bearer abc"}) is None
