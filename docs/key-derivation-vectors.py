#!/usr/bin/env python3
"""An independent implementation of docs/key-derivation.md, using only the Python standard library.

    python3 docs/key-derivation-vectors.py generate > docs/key-derivation-vectors.json
    python3 docs/key-derivation-vectors.py verify docs/key-derivation-vectors.json

`generate` writes the test vectors; `verify` re-derives every key, kid and token signature of a vector file and
exits non-zero on any difference. The C# tests check the same file against the library, so the two implementations
agree only if both follow the document.
"""
import base64
import hashlib
import hmac
import json
import struct
import sys


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def enc(value) -> bytes:
    data = ("" if value is None else value).encode("utf-8")
    return struct.pack(">I", len(data)) + data


def hkdf_extract(ikm: bytes) -> bytes:
    return hmac.new(b"", ikm, hashlib.sha256).digest()  # salt = empty: HMAC key of zero length


def hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


def user_key(server_secret: bytes, user_id, stamp, password_hash, extra: dict, purpose: str) -> bytes:
    info = enc("UserKeyedJwt/v1/" + purpose) + enc(user_id) + enc(stamp) + enc(password_hash)
    # Ordinal order of names = order of their UTF-16 code units.
    for name in sorted(extra, key=lambda n: n.encode("utf-16-be")):
        info += enc(name) + enc(extra[name])
    return hkdf_expand(hkdf_extract(server_secret), info, 32)


def kid_for(server_secret: bytes, secret_id: str, user_id: str, key: bytes, purpose: str) -> str:
    fingerprint = b64url(hmac.new(key, b"UserKeyedJwt/v1/fingerprint", hashlib.sha256).digest()[:8])
    tag_key = hkdf_expand(hkdf_extract(server_secret), enc("UserKeyedJwt/v1/kid-tag"), 32)
    tag = b64url(hmac.new(tag_key, enc(purpose) + enc(user_id) + enc(fingerprint) + enc(secret_id), hashlib.sha256).digest()[:16])
    return f"{secret_id}.{fingerprint}.{tag}"


def sign(header: dict, payload: dict, key: bytes) -> str:
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    return signing_input + "." + b64url(hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest())


ISSUER, AUDIENCE, IAT = "https://issuer.example", "api.example", 1893456000  # 2030-01-01T00:00:00Z

CASES = [
    # (secret seed, secret id, userId, stamp, passwordHash, extra, purpose)
    ("a", "s1", "3f2b8c1e-0d4a-4e7b-9c55-1a2b3c4d5e6f", "QWERTYUIOPASDFGHJKLZXCVBNM234567", "AQAAAAIAAYagAAAAEKx", {}, "access"),
    ("a", "s1", "3f2b8c1e-0d4a-4e7b-9c55-1a2b3c4d5e6f", "QWERTYUIOPASDFGHJKLZXCVBNM234567", "AQAAAAIAAYagAAAAEKx", {}, "refresh"),
    ("a", "s1", "external-login-user", "STAMP0000000000000000000000000001", None, {}, "access"),
    ("b", "2026-11", "ユーザー-42", "stämp-ü", "hash-ñ", {}, "access"),
    ("b", "2026-11", "user-7", "stamp-7", "hash-7", {"tenant": "acme", "status": "active", "Role-Version": "3"}, "access"),
    ("b", "2026-11", "user-7", "stamp-7", "hash-7", {"status": "active", "Role-Version": "3", "tenant": "acme"}, "refresh"),
    ("c", "k_9", "user-8", None, None, {"empty": "", "null": None}, "access"),
    ("c", "k_9", "42", "", "", {"ä": "1", "a": "2", "Z": "3"}, "refresh"),
    ("d", "s1", "😀-emoji-id", "s", "h", {"x": "y"}, "access"),
]


def generate():
    vectors = []
    for seed, secret_id, user_id, stamp, pw, extra, purpose in CASES:
        secret = hashlib.sha256(("UserKeyedJwt test vector secret " + seed).encode()).digest()
        key = user_key(secret, user_id, stamp, pw, extra, purpose)
        kid = kid_for(secret, secret_id, user_id, key, purpose)
        header = {"alg": "HS256", "kid": kid, "typ": "at+jwt" if purpose == "access" else "rt+jwt"}
        payload = {"sub": user_id, "jti": b64url(hashlib.sha256(kid.encode()).digest()[:16]), "iat": IAT, "nbf": IAT,
                   "exp": IAT + 600, "iss": ISSUER, "aud": AUDIENCE}
        vectors.append({
            "serverSecretId": secret_id, "serverSecret": base64.b64encode(secret).decode(),
            "userId": user_id, "securityStamp": stamp, "passwordHash": pw, "extra": extra, "purpose": purpose,
            "derivedKey": key.hex(), "kid": kid, "issuer": ISSUER, "audience": AUDIENCE, "iat": IAT,
            "token": sign(header, payload, key),
        })
    json.dump({"version": "UserKeyedJwt/v1", "vectors": vectors}, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def verify(path):
    with open(path, encoding="utf-8") as f:
        vectors = json.load(f)["vectors"]
    failures = 0
    for i, v in enumerate(vectors):
        secret = base64.b64decode(v["serverSecret"])
        key = user_key(secret, v["userId"], v["securityStamp"], v["passwordHash"], v["extra"], v["purpose"])
        header_b64, payload_b64, signature_b64 = v["token"].split(".")
        header = json.loads(b64url_decode(header_b64))
        payload = json.loads(b64url_decode(payload_b64))
        expected_sig = hmac.new(key, (header_b64 + "." + payload_b64).encode("ascii"), hashlib.sha256).digest()
        typ = "at+jwt" if v["purpose"] == "access" else "rt+jwt"
        issuers_header = b64url(json.dumps({"alg": "HS256", "kid": header["kid"], "typ": typ}, separators=(",", ":")).encode())
        checks = {
            "header": header_b64 == issuers_header,
            "derivedKey": key.hex() == v["derivedKey"],
            "kid": kid_for(secret, v["serverSecretId"], v["userId"], key, v["purpose"]) == header["kid"] == v["kid"],
            "signature": hmac.compare_digest(expected_sig, b64url_decode(signature_b64)),
            "sub": payload["sub"] == v["userId"],
        }
        for name, ok in checks.items():
            if not ok:
                failures += 1
                print(f"vector {i}: {name} differs", file=sys.stderr)
    print(f"{len(vectors)} vectors, {failures} differences")
    return 1 if failures or len(vectors) < 8 else 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "generate":
        generate()
    elif len(sys.argv) >= 3 and sys.argv[1] == "verify":
        sys.exit(verify(sys.argv[2]))
    else:
        print(__doc__)
        sys.exit(2)
