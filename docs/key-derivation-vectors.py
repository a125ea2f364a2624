#!/usr/bin/env python3
"""An independent implementation of docs/key-derivation.md, using only the Python standard library.

    python3 docs/key-derivation-vectors.py generate > docs/key-derivation-vectors.json
    python3 docs/key-derivation-vectors.py verify docs/key-derivation-vectors.json

`generate` writes the test vectors; `verify` re-derives every key, kid and token signature of a vector file and
exits non-zero on any difference. The C# tests check the same file against the library, so the two implementations
agree only if both follow the document.

`vectors` are tokens without a session, signed under the user key. `sessionVectors` are sessions: for each, an access
and a refresh token signed under the session key of that purpose's user key.
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


def session_key(key: bytes, session_id: str, session_secret: str) -> bytes:
    # The user key is the PRK; the session secret enters as its base64url text, not as the bytes it encodes.
    return hkdf_expand(key, enc("UserKeyedJwt/v1/session") + enc(session_id) + enc(session_secret), 32)


def fingerprint_of(key: bytes) -> str:
    return b64url(hmac.new(key, b"UserKeyedJwt/v1/fingerprint", hashlib.sha256).digest()[:8])


def kid_for(server_secret: bytes, secret_id: str, user_id: str, key: bytes, purpose: str) -> str:
    # `key` is the key the token is signed under: the user key, or the session key for a token of a session.
    fingerprint = fingerprint_of(key)
    tag_key = hkdf_expand(hkdf_extract(server_secret), enc("UserKeyedJwt/v1/kid-tag"), 32)
    tag = b64url(hmac.new(tag_key, enc(purpose) + enc(user_id) + enc(fingerprint) + enc(secret_id), hashlib.sha256).digest()[:16])
    return f"{secret_id}.{fingerprint}.{tag}"


def sign(header: dict, payload: dict, key: bytes) -> str:
    # The payload members in the order given: `vectors` keep theirs, and a validator does not depend on it.
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    return signing_input + "." + b64url(hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest())


def issuer_json(value) -> bytes:
    # The issuer's spelling of a payload: compact, non-ASCII written as UTF-8 except characters outside the BMP, which are
    # escaped as a UTF-16 surrogate pair (upper-case hex). A validator accepts any spelling; this one only mirrors real tokens.
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return "".join(c if ord(c) <= 0xFFFF else "\\u%04X\\u%04X" % (0xD800 + ((ord(c) - 0x10000) >> 10), 0xDC00 + ((ord(c) - 0x10000) & 0x3FF))
                   for c in text).encode("utf-8")


def sign_as_issuer(header: dict, payload: dict, key: bytes) -> str:
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + b64url(issuer_json(payload))
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

SESSION_CASES = [
    # (secret seed, secret id, userId, stamp, passwordHash, extra, session seed, auth_time, generation)
    ("a", "s1", "3f2b8c1e-0d4a-4e7b-9c55-1a2b3c4d5e6f", "QWERTYUIOPASDFGHJKLZXCVBNM234567", "AQAAAAIAAYagAAAAEKx", {}, "phone", IAT - 3600, 0),
    ("a", "s1", "3f2b8c1e-0d4a-4e7b-9c55-1a2b3c4d5e6f", "QWERTYUIOPASDFGHJKLZXCVBNM234567", "AQAAAAIAAYagAAAAEKx", {}, "laptop", IAT - 86400, 7),
    ("b", "2026-11", "ユーザー-42", "stämp-ü", "hash-ñ", {}, "tablet", IAT - 60, 1),
    ("b", "2026-11", "user-7", "stamp-7", "hash-7", {"tenant": "acme", "status": "active", "Role-Version": "3"}, "browser", IAT, 0),
    ("c", "k_9", "user-8", None, None, {"empty": "", "null": None}, "cli", IAT - 600, 3),
    ("d", "s1", "😀-emoji-id", "s", "h", {"x": "y"}, "watch", IAT - 7200, 2),
]

SESSION_TOKEN_FIELDS = ("userKey", "sessionKey", "fingerprint", "kid", "token")


def test_secret(seed: str) -> bytes:
    return hashlib.sha256(("UserKeyedJwt test vector secret " + seed).encode()).digest()


def session_payload(user_id, session_id, auth_time, generation, purpose, kid) -> dict:
    # The members in the order the issuer writes them; `gen` on refresh tokens only.
    payload = {"aud": AUDIENCE, "iss": ISSUER, "exp": IAT + 600, "iat": IAT, "nbf": IAT, "sub": user_id,
               "jti": b64url(hashlib.sha256(kid.encode()).digest()[:16]), "sid": session_id, "auth_time": auth_time}
    if purpose == "refresh":
        payload["gen"] = generation
    return payload


def generate_sessions():
    sessions = []
    for seed, secret_id, user_id, stamp, pw, extra, session_seed, auth_time, generation in SESSION_CASES:
        secret = test_secret(seed)
        # As the library makes them: 16 random bytes (the id) and 32 random bytes (the secret), each as base64url text.
        session_id = b64url(hashlib.sha256(("UserKeyedJwt test vector session id " + session_seed).encode()).digest()[:16])
        session_secret = b64url(hashlib.sha256(("UserKeyedJwt test vector session secret " + session_seed).encode()).digest())
        vector = {
            "serverSecretId": secret_id, "serverSecret": base64.b64encode(secret).decode(),
            "userId": user_id, "securityStamp": stamp, "passwordHash": pw, "extra": extra,
            "sessionId": session_id, "sessionSecret": session_secret, "authTime": auth_time, "generation": generation,
            "issuer": ISSUER, "audience": AUDIENCE, "iat": IAT,
        }
        for purpose in ("access", "refresh"):
            key = user_key(secret, user_id, stamp, pw, extra, purpose)
            skey = session_key(key, session_id, session_secret)
            kid = kid_for(secret, secret_id, user_id, skey, purpose)
            header = {"alg": "HS256", "kid": kid, "typ": "at+jwt" if purpose == "access" else "rt+jwt"}
            vector[purpose] = {
                "userKey": key.hex(), "sessionKey": skey.hex(), "fingerprint": fingerprint_of(skey), "kid": kid,
                "token": sign_as_issuer(header, session_payload(user_id, session_id, auth_time, generation, purpose, kid), skey),
            }
        sessions.append(vector)
    return sessions


def generate():
    vectors = []
    for seed, secret_id, user_id, stamp, pw, extra, purpose in CASES:
        secret = test_secret(seed)
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
    json.dump({"version": "UserKeyedJwt/v1", "vectors": vectors, "sessionVectors": generate_sessions()}, sys.stdout,
              ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def is_issuers_header(header_b64: str, kid: str, purpose: str) -> bool:
    typ = "at+jwt" if purpose == "access" else "rt+jwt"
    return header_b64 == b64url(json.dumps({"alg": "HS256", "kid": kid, "typ": typ}, separators=(",", ":")).encode())


def is_b64url_of(text, size: int) -> bool:
    # The canonical base64url text of `size` bytes: no padding, no spare bits.
    try:
        return isinstance(text, str) and len(b64url_decode(text)) == size and b64url(b64url_decode(text)) == text
    except ValueError:
        return False


def verify(path):
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    vectors, sessions = document["vectors"], document.get("sessionVectors", [])
    failures = 0

    def report(where, checks):
        nonlocal failures
        for name, ok in checks.items():
            if not ok:
                failures += 1
                print(f"{where}: {name} differs", file=sys.stderr)

    for i, v in enumerate(vectors):
        secret = base64.b64decode(v["serverSecret"])
        key = user_key(secret, v["userId"], v["securityStamp"], v["passwordHash"], v["extra"], v["purpose"])
        header_b64, payload_b64, signature_b64 = v["token"].split(".")
        header = json.loads(b64url_decode(header_b64))
        payload = json.loads(b64url_decode(payload_b64))
        expected_sig = hmac.new(key, (header_b64 + "." + payload_b64).encode("ascii"), hashlib.sha256).digest()
        report(f"vector {i}", {
            "header": is_issuers_header(header_b64, header["kid"], v["purpose"]),
            "derivedKey": key.hex() == v["derivedKey"],
            "kid": kid_for(secret, v["serverSecretId"], v["userId"], key, v["purpose"]) == header["kid"] == v["kid"],
            "signature": hmac.compare_digest(expected_sig, b64url_decode(signature_b64)),
            "sub": payload["sub"] == v["userId"],
            "jti": isinstance(payload.get("jti"), str) and payload["jti"] != "",
            "sid": "sid" not in payload,
        })

    tokens = 0
    for i, v in enumerate(sessions):
        secret = base64.b64decode(v["serverSecret"])
        report(f"session vector {i}", {
            "sessionSecret": is_b64url_of(v["sessionSecret"], 32) and len(v["sessionSecret"]) == 43,
            "sessionId": isinstance(v["sessionId"], str) and 1 <= len(v["sessionId"]) <= 64,
            "generation": isinstance(v["generation"], int) and v["generation"] >= 0,
        })
        for purpose in ("access", "refresh"):
            t = v[purpose]
            tokens += 1
            key = user_key(secret, v["userId"], v["securityStamp"], v["passwordHash"], v["extra"], purpose)
            skey = session_key(key, v["sessionId"], v["sessionSecret"])
            header_b64, payload_b64, signature_b64 = t["token"].split(".")
            header = json.loads(b64url_decode(header_b64))
            payload = json.loads(b64url_decode(payload_b64))
            signing_input = (header_b64 + "." + payload_b64).encode("ascii")
            report(f"session vector {i} {purpose}", {
                "fields": set(t) == set(SESSION_TOKEN_FIELDS),
                "header": is_issuers_header(header_b64, header["kid"], purpose),
                "userKey": key.hex() == t["userKey"],
                "sessionKey": skey.hex() == t["sessionKey"],
                "fingerprint": fingerprint_of(skey) == t["fingerprint"] == header["kid"].split(".")[1],
                "kid": kid_for(secret, v["serverSecretId"], v["userId"], skey, purpose) == header["kid"] == t["kid"],
                "signature": hmac.compare_digest(hmac.new(skey, signing_input, hashlib.sha256).digest(), b64url_decode(signature_b64)),
                "not under the user key": not hmac.compare_digest(hmac.new(key, signing_input, hashlib.sha256).digest(), b64url_decode(signature_b64)),
                "sub": payload["sub"] == v["userId"],
                "jti": isinstance(payload.get("jti"), str) and payload["jti"] != "",
                "iat, nbf, exp": (payload.get("iat"), payload.get("nbf"), payload.get("exp")) == (v["iat"], v["iat"], v["iat"] + 600),
                "iss, aud": (payload.get("iss"), payload.get("aud")) == (v["issuer"], v["audience"]),
                "sid": payload.get("sid") == v["sessionId"],
                "auth_time": payload.get("auth_time") == v["authTime"],
                "gen": payload.get("gen") == (v["generation"] if purpose == "refresh" else None),
            })

    print(f"{len(vectors)} vectors, {len(sessions)} session vectors ({tokens} tokens), {failures} differences")
    if len(vectors) < 8 or len(sessions) < 4:
        print("too few vectors: at least 8 vectors and 4 session vectors", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "generate":
        generate()
    elif len(sys.argv) >= 3 and sys.argv[1] == "verify":
        sys.exit(verify(sys.argv[2]))
    else:
        print(__doc__)
        sys.exit(2)
