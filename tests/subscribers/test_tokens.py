"""subscribers.tokens: opaque link tokens bound to subscriber and list; old HMAC links."""

from __future__ import annotations

from digest.subscribers import (
    confirm_nonce,
    confirm_token,
    link_token,
    link_uid,
    unsubscribe_token,
    verify_token,
)


def test_link_tokens_are_opaque_and_bound_to_subscriber_and_list() -> None:
    token = link_token("s3cret", "list-a", "uid123")
    assert "@" not in token and link_uid("s3cret", "list-a", token) == "uid123"
    assert link_uid("s3cret", "list-b", token) is None  # another list
    assert link_uid("other", "list-a", token) is None  # another secret
    forged = "uid124" + token[len("uid123") :]
    assert link_uid("s3cret", "list-a", forged) is None  # another subscriber, same signature


def test_bad_token_shapes_are_refused_without_raising() -> None:
    for token in ("", "x", "é.ü", "uid123.\u2028", "a" * 500, "uid.sig.extra", "\x00"):
        assert link_uid("s3cret", "list-a", token) is None
        assert confirm_nonce("s3cret", "list-a", token) is None


def test_confirm_tokens_are_not_link_tokens() -> None:
    token = confirm_token("s3cret", "list-a", "nonce")
    assert confirm_nonce("s3cret", "list-a", token) == "nonce"
    assert link_uid("s3cret", "list-a", token) is None


def test_old_links_keep_verifying_and_non_ascii_is_false_not_an_error() -> None:
    token = unsubscribe_token("s3cret", "Ada@Example.com")
    assert verify_token("s3cret", "ada@example.com", token)
    assert not verify_token("other", "ada@example.com", token)
    assert not verify_token("s3cret", "bob@example.com", token)
    assert not verify_token("s3cret", "ada@example.com", "é" * 32)
