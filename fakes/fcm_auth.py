"""The fake Google OAuth token endpoint's side: a service account and JWT-bearer checks.

``ServiceAccount`` makes a fresh RSA key and the JSON file google-auth reads
(``google.oauth2.service_account.Credentials.from_service_account_file``), with
``token_uri`` pointing at the fake. The token endpoint verifies the RS256 assertion
google-auth signs with that key, as Google does, before handing out an access token.
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
FCM_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/firebase.messaging",
        "https://www.googleapis.com/auth/cloud-platform",
    }
)
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


class AssertionRejected(ValueError):
    """The JWT assertion is not acceptable; ``error_description`` as Google words it."""


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class ServiceAccount:
    """A Google service account whose key lives in this process."""

    def __init__(
        self,
        *,
        project_id: str,
        token_uri: str = GOOGLE_TOKEN_URI,
        private_key: rsa.RSAPrivateKey | None = None,
        private_key_id: str | None = None,
        client_email: str | None = None,
    ) -> None:
        self.project_id = project_id
        self.token_uri = token_uri
        self.private_key = private_key or rsa.generate_private_key(
            public_exponent=65537, key_size=2048
        )
        self.private_key_id = private_key_id or uuid.uuid4().hex
        self.client_email = client_email or f"altavoz-fake@{project_id}.iam.gserviceaccount.com"

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> ServiceAccount:
        info = json.loads(Path(path).read_text())
        key = serialization.load_pem_private_key(info["private_key"].encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path}: private_key is not an RSA key")
        return cls(
            project_id=info["project_id"],
            token_uri=info["token_uri"],
            private_key=key,
            private_key_id=info["private_key_id"],
            client_email=info["client_email"],
        )

    def info(self) -> dict[str, Any]:
        """The service-account JSON, as the Google Cloud console would download it."""
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        return {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": self.private_key_id,
            "private_key": pem,
            "client_email": self.client_email,
            "client_id": str(int(self.private_key_id[:16], 16)),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + self.client_email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        }

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the service-account JSON (mode 0600) and return its path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.info(), indent=2))
        target.chmod(0o600)
        return target

    def assertion_verify(self, assertion: str, *, now: float | None = None) -> dict[str, Any]:
        """Check a JWT-bearer assertion: RS256 signature by our key, iss, aud, exp, scope."""
        now = time.time() if now is None else now
        try:
            header_b64, claims_b64, signature_b64 = assertion.split(".")
            header = json.loads(_b64url_decode(header_b64))
            claims = json.loads(_b64url_decode(claims_b64))
            signature = _b64url_decode(signature_b64)
        except ValueError as error:
            raise AssertionRejected("Invalid JWT: Token must be a short-lived token") from error
        if header.get("alg") != "RS256":
            raise AssertionRejected("Invalid JWT Signature.")
        try:
            self.private_key.public_key().verify(
                signature,
                f"{header_b64}.{claims_b64}".encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature as error:
            raise AssertionRejected("Invalid JWT Signature.") from error
        if claims.get("iss") != self.client_email:
            raise AssertionRejected("Invalid JWT Signature.")  # Google: unknown key for iss
        if claims.get("aud") not in {self.token_uri, GOOGLE_TOKEN_URI}:
            raise AssertionRejected("Invalid JWT: audience does not match the token endpoint")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int | float) or not isinstance(exp, int | float):
            raise AssertionRejected("Invalid JWT: Token must be a short-lived token")
        if exp <= now or iat > now + 300 or exp - iat > 3600:
            raise AssertionRejected(
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                "reasonable timeframe. Check your iat and exp values in the JWT claim."
            )
        scopes = set(str(claims.get("scope", "")).split())
        if not scopes & FCM_SCOPES:
            raise AssertionRejected("Invalid OAuth scope or ID token audience provided.")
        return claims
