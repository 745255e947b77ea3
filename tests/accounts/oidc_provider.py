"""A real OpenID Connect provider for the tests, built on authlib's OAuth 2.0 / OIDC server (Flask).

Started by the tests as its own process on 127.0.0.1 (`python -m tests.accounts.oidc_provider PORT
CLIENT_ID CLIENT_SECRET REDIRECT_URI`). It serves discovery, JWKS, authorize (authorisation code with
PKCE required, nonce required), token and userinfo, and signs ID tokens with its own RSA key.

It signs the person set by `POST /_test/person` (JSON claims) in at once (no login form: the tests are
about the relying party). `POST /_test/mode` makes the next ID tokens misbehave:

- `bad_signature`: signed with another RSA key under the published key's id;
- `wrong_audience`: `aud` names another client;
- `expired`: `exp` (and `iat`) an hour in the past;
- `replayed_nonce`: the nonce of the previous authorisation instead of this one's;
- `good`: behave.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector, current_token
from authlib.jose import JsonWebKey
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request

KEY_ID = "test-op-1"
SIGNING_KEY = JsonWebKey.generate_key("RSA", 2048, {"kid": KEY_ID, "alg": "RS256", "use": "sig"}, is_private=True)
# Another key published under the same id: a token it signs must fail the relying party's check.
FORGED_KEY = JsonWebKey.generate_key("RSA", 2048, {"kid": KEY_ID, "alg": "RS256", "use": "sig"}, is_private=True)

STATE: dict[str, Any] = {"mode": "good", "person": {"sub": "person-1", "email": "ana@example.org",
                                                   "email_verified": True, "name": "Ana Pop"},
                         "nonces": [], "codes": {}, "tokens": {}}


class Client:
    def __init__(self, client_id: str, secret: str, redirect_uri: str) -> None:
        self.client_id, self.secret, self.redirect_uri = client_id, secret, redirect_uri

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in {"openid", "profile", "email", "address"})

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class Code:
    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)
        self.created = time.time()

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.created)

    def get_acr(self) -> str:
        return ""

    def get_amr(self) -> list[str]:
        return []

    def is_expired(self) -> bool:
        return time.time() - self.created > 300


class Token:
    def __init__(self, data: dict[str, Any], person: dict[str, Any]) -> None:
        self.data, self.person = data, person

    def check_client(self, client: Any) -> bool:
        return True

    def get_scope(self) -> str:
        return self.data["scope"]

    def get_expires_in(self) -> int:
        return 3600

    def is_expired(self) -> bool:
        return False

    def is_revoked(self) -> bool:
        return False


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: Any) -> None:
        payload = request.payload
        STATE["codes"][code] = Code(
            code=code, client_id=payload.client_id, redirect_uri=payload.redirect_uri, scope=payload.scope,
            nonce=payload.data.get("nonce"), code_challenge=payload.data.get("code_challenge"),
            code_challenge_method=payload.data.get("code_challenge_method"), person=dict(STATE["person"]))

    def query_authorization_code(self, code: str, client: Any) -> Code | None:
        item = STATE["codes"].get(code)
        return item if item is not None and item.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        STATE["codes"].pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
        return authorization_code.person


class MisbehavingOpenIDCode(OpenIDCode):
    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return False

    def resolve_client_private_key(self, client: Any) -> Any:
        return FORGED_KEY if STATE["mode"] == "bad_signature" else SIGNING_KEY

    def get_encode_header(self, client: Any) -> dict[str, Any]:
        return {"alg": "RS256", "kid": KEY_ID, "typ": "JWT"}

    def get_client_claims(self, client: Any) -> dict[str, Any]:
        claims: dict[str, Any] = {"iss": ISSUER}
        if STATE["mode"] == "wrong_audience":
            claims["aud"] = ["someone-else"]
        if STATE["mode"] == "expired":
            claims["iat"] = int(time.time()) - 7200
            claims["exp"] = int(time.time()) - 3600
        return claims

    def get_authorization_code_claims(self, authorization_code: Any) -> dict[str, Any]:
        claims = super().get_authorization_code_claims(authorization_code)
        nonces = STATE["nonces"]
        if STATE["mode"] == "replayed_nonce" and nonces:
            claims["nonce"] = nonces[-1]
        nonces.append(authorization_code.nonce)
        return claims

    def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
        return UserInfo(user)


class Validator(BearerTokenValidator):
    def authenticate_token(self, token_string: str) -> Token | None:
        return STATE["tokens"].get(token_string)


def create_app(port: int, client: Client) -> Flask:
    global ISSUER
    ISSUER = f"http://127.0.0.1:{port}"
    app = Flask(__name__)
    app.config["OAUTH2_ERROR_URIS"] = []

    def save_token(token: dict[str, Any], req: Any) -> None:
        STATE["tokens"][token["access_token"]] = Token(token, req.user)

    server = AuthorizationServer(app, query_client=lambda cid: client if cid == client.client_id else None,
                                 save_token=save_token)
    server.register_grant(CodeGrant, [MisbehavingOpenIDCode(require_nonce=True), CodeChallenge(required=True)])
    protect = ResourceProtector()
    protect.register_token_validator(Validator())

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Any:
        return jsonify({
            "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
            "token_endpoint": f"{ISSUER}/token", "userinfo_endpoint": f"{ISSUER}/userinfo",
            "jwks_uri": f"{ISSUER}/jwks", "response_types_supported": ["code"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"], "scopes_supported": ["openid", "profile", "email", "address"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify({"keys": [SIGNING_KEY.as_dict(is_private=False)]})

    @app.get("/authorize")
    def authorize() -> Any:
        # The person is signed in at once and consents (the tests are about the relying party).
        return server.create_authorization_response(grant_user=dict(STATE["person"]))

    @app.post("/token")
    def token() -> Any:
        return server.create_token_response()

    @app.get("/userinfo")
    @protect("openid")
    def userinfo() -> Any:
        return jsonify(current_token.person)

    @app.post("/_test/mode")
    def set_mode() -> Any:
        STATE["mode"] = request.get_json()["mode"]
        return jsonify({"mode": STATE["mode"]})

    @app.post("/_test/person")
    def set_person() -> Any:
        STATE["person"] = request.get_json()
        return jsonify(STATE["person"])

    @app.get("/_test/ready")
    def ready() -> Any:
        return jsonify({"ready": True})

    return app


ISSUER = ""

if __name__ == "__main__":
    port, client_id, secret, redirect_uri = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    create_app(port, Client(client_id, secret, redirect_uri)).run(host="127.0.0.1", port=port, threaded=True)
