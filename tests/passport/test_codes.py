"""Verification codes (passport/codes.py): 20 characters of Crockford's base32, 60 random
bits and a 40-bit signature; typing is forgiven, tampering is not."""

import secrets

from passport import codes


def test_a_new_code_is_authentic_and_printed_in_five_groups():
    code = codes.new_code()
    assert len(code) == codes.LENGTH == 20 and set(code) <= set(codes.ALPHABET)
    assert codes.is_authentic(code)
    grouped = codes.grouped(code)
    assert grouped.count("-") == 4 and grouped.replace("-", "") == code


def test_codes_differ():
    assert len({codes.new_code() for _ in range(1000)}) == 1000


def test_typing_is_forgiven():
    code = codes.new_code()
    typed = " " + codes.grouped(code).lower().replace("0", "o").replace("1", "l") + " "
    assert codes.normalized(typed) == code


def test_what_cannot_be_a_code_is_refused_before_any_signature():
    for text in ["", "ABCD", "U" * 20, "7KQM-4XPA-9JTR-2HWD-C3N", "7KQM-4XPA-9JTR-2HWD-C3NFX", "é" * 20, "%00" * 7]:
        assert codes.normalized(text) is None, text


def test_every_altered_character_breaks_the_signature():
    code = codes.new_code()
    for position in range(codes.LENGTH):
        for replacement in (codes.ALPHABET[0], codes.ALPHABET[-1]):
            if code[position] != replacement:
                altered = code[:position] + replacement + code[position + 1 :]
                assert not codes.is_authentic(altered), (position, replacement)


def test_a_thousand_made_up_codes_are_not_authentic():
    made_up = ["".join(secrets.choice(codes.ALPHABET) for _ in range(codes.LENGTH)) for _ in range(1000)]
    assert not any(codes.is_authentic(code) for code in made_up)


def test_the_signature_depends_on_the_secret_key(settings):
    code = codes.new_code()
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert not codes.is_authentic(code)
