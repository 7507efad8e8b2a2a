"""Verification codes of attestations and certificates: short enough to type from paper,
unguessable, and signed, so that a forged or altered code is refused before any lookup.

A code is 20 characters of Crockford's base32 (no I, L, O nor U: nothing to misread),
printed in five groups of four (`7KQM-4XPA-9JTR-2HWD-C3NF`):
- 12 random characters (60 bits, `secrets`): what makes each code unique;
- 8 characters of an HMAC of those under the portal's SECRET_KEY (40 bits): what makes it
  authentic. Changing one character, or making one up, fails the signature but once in
  about a trillion tries, and the verification page is rate-limited besides.
Typing is forgiven: case, spaces and dashes are ignored, O reads as 0, I and L as 1."""

import base64
import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH, SIGNATURE_LENGTH = 12, 8
LENGTH = RANDOM_LENGTH + SIGNATURE_LENGTH
GROUP = 4
_SALT = "passport.codes"
_FROM_RFC4648 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)
_FORGIVEN = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


def _signature(random_part: str) -> str:
    digest = salted_hmac(_SALT, random_part, algorithm="sha256").digest()
    return base64.b32encode(digest[:5]).decode().translate(_FROM_RFC4648)  # 40 bits: 8 characters


def new_code() -> str:
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return random_part + _signature(random_part)


def normalized(text: str) -> str | None:
    """The code as stored, from what someone typed or scanned; None when it cannot be one."""
    code = text.upper().translate(_FORGIVEN)
    if len(code) != LENGTH or any(character not in ALPHABET for character in code):
        return None
    return code


def is_authentic(code: str) -> bool:
    """Whether a normalized code carries its own signature (without reading the database)."""
    random_part, signature = code[:RANDOM_LENGTH], code[RANDOM_LENGTH:]
    return constant_time_compare(signature, _signature(random_part))


def grouped(code: str) -> str:
    """ "7KQM-4XPA-9JTR-2HWD-C3NF": as printed and shown."""
    return "-".join(code[start : start + GROUP] for start in range(0, len(code), GROUP))
