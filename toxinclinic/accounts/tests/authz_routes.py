"""The person's own API-token screens in the authorization matrix: every signed-in user has their own."""

from __future__ import annotations

from toxinclinic.core.tests.authz import Route, expect

ROUTES: list[Route] = [
    Route("accounts:api_tokens", "GET", "/accounts/api-tokens/", expect(anon=302, default=200)),
    # No such token of theirs: nobody can revoke another person's token here.
    Route(
        "accounts:revoke_api_token",
        "POST",
        "/accounts/api-tokens/revoke/",
        expect(anon=302, default=404),
        body={"token": "999999"},
    ),
]
