"""Encryption at rest, rotation, the keyed hash of normalised ID numbers, masks, and the refusal
to serve on derived keys."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from minsheng.assistance import crypto
from minsheng.textproc.pii import mask_id_number, mask_phone
from tests.assistance.helpers import fake_id

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
HASH_KEY = "h" * 40


def test_round_trip_and_the_token_hides_the_value(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_PII_KEYS = [KEY_A]
    number = fake_id(1)
    token = crypto.encrypt(number)
    assert number not in token and number[6:14] not in token
    assert crypto.decrypt(token) == number
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_rotation_keeps_old_tokens_readable_and_moves_them_to_the_new_key(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_PII_KEYS = [KEY_A]
    old = crypto.encrypt("13912345678")
    settings.MINSHENG_PII_KEYS = [KEY_B, KEY_A]  # a new key put first
    assert crypto.decrypt(old) == "13912345678"
    assert not crypto.is_current(old)
    new = crypto.rotate(old)
    assert crypto.is_current(new) and crypto.decrypt(new) == "13912345678"
    settings.MINSHENG_PII_KEYS = [KEY_B]  # the old key removed after the rotation
    assert crypto.decrypt(new) == "13912345678"
    with pytest.raises(InvalidToken):
        crypto.decrypt(old)


def test_a_bad_key_is_refused_without_naming_it(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_PII_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured) as error:
        crypto.encrypt("x")
    assert "not-a-key" not in str(error.value)


def test_the_hash_finds_the_same_number_however_written(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_PII_HASH_KEY = HASH_KEY
    base = "11010519491231002X"  # the GB 11643 standard's example
    full_width = base.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    variants = [
        base,
        base.lower(),
        full_width,
        "110105 19491231 002x",
        f" {base} ",
        "１１０１０５１９４９１２３１００２ｘ",
    ]
    assert len({crypto.id_hash(v) for v in variants}) == 1
    assert crypto.normalise_id_number(full_width) == base


def test_the_checksum_is_validated() -> None:
    good = fake_id(7)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(crypto.InvalidIdNumber):
        crypto.id_hash(bad)
    with pytest.raises(crypto.InvalidIdNumber):
        crypto.id_hash(good[:17])


def test_the_hash_is_keyed(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_PII_HASH_KEY = HASH_KEY
    first = crypto.id_hash(fake_id(3))
    settings.MINSHENG_PII_HASH_KEY = "k" * 40
    assert crypto.id_hash(fake_id(3)) != first
    assert crypto.phone_hash("139 1234 5678") == crypto.phone_hash("+86 13912345678")


@given(
    seq=st.integers(min_value=0, max_value=999),
    days=st.integers(min_value=0, max_value=30000),
    region=st.sampled_from(["410927", "110105", "371502", "440305"]),
)
def test_a_masked_id_number_never_shows_more_than_its_first_and_last_four(
    seq: int, days: int, region: str
) -> None:
    import datetime as dt

    number = fake_id(seq, born=dt.date(1930, 1, 1) + dt.timedelta(days=days), region=region)
    masked = mask_id_number(number)
    assert masked == number[:4] + "*" * 10 + number[-4:]
    assert sum(ch != "*" for ch in masked) == 8


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_masked_phone_never_shows_more_than_seven_digits(phone: str) -> None:
    masked = mask_phone(phone)
    assert masked == phone[:3] + "****" + phone[-4:]


def test_a_server_refuses_derived_keys_without_debug(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_PII_KEYS = []
    settings.MINSHENG_PII_HASH_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="MINSHENG_PII_KEYS"):
        crypto.require_pii_keys(debug=False, environ={})
    crypto.require_pii_keys(debug=True, environ={})
    crypto.require_pii_keys(debug=False, environ={"MINSHENG_ALLOW_GENERATED_SECRET_KEY": "1"})
    settings.MINSHENG_PII_KEYS = [KEY_A]
    settings.MINSHENG_PII_HASH_KEY = HASH_KEY
    crypto.require_pii_keys(debug=False, environ={})


@pytest.mark.django_db
def test_the_rotation_command_moves_every_row_to_the_new_key(settings) -> None:  # type: ignore[no-untyped-def]
    import io

    from django.core.management import call_command

    from minsheng.assistance.models import Person
    from minsheng.assistance.services import people as service
    from tests.assistance.helpers import add_person, make_area

    settings.MINSHENG_PII_KEYS = [KEY_A]
    settings.MINSHENG_PII_HASH_KEY = HASH_KEY
    area = make_area()
    first = add_person(area.worker1, area.v1, 1)
    add_person(area.worker1, area.v1, 2)
    settings.MINSHENG_PII_KEYS = [KEY_B, KEY_A]
    out = io.StringIO()
    call_command("assistance_rotate_keys", stdout=out)
    assert "re-encrypted 2 people" in out.getvalue() and fake_id(1) not in out.getvalue()
    settings.MINSHENG_PII_KEYS = [KEY_B]
    row = Person.objects.get(pk=first.pk)
    assert crypto.decrypt(row.id_cipher) == fake_id(1)
    # A new hash key: --rehash recomputes, and lookups work again.
    settings.MINSHENG_PII_HASH_KEY = "n" * 40
    assert service.find_by_id_number(fake_id(1)) is None
    call_command("assistance_rotate_keys", "--rehash", stdout=io.StringIO())
    assert service.find_by_id_number(fake_id(1).lower()) == first
    out = io.StringIO()
    call_command("assistance_rotate_keys", "--generate", stdout=out)
    Fernet(out.getvalue().strip().encode())  # a usable key


def test_the_wsgi_application_refuses_derived_ledger_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MINSHENG_PII")
        and k not in ("DATABASE_URL",)
        and k != "MINSHENG_ALLOW_GENERATED_SECRET_KEY"
    }
    environment.update(MINSHENG_VAR_DIR=str(tmp_path), DEBUG="0", SECRET_KEY="s" * 50)

    def start() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "import minsheng.wsgi"],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    refused = start()
    assert refused.returncode != 0 and "MINSHENG_PII_KEYS" in refused.stderr
    environment.update(MINSHENG_PII_KEYS=KEY_A, MINSHENG_PII_HASH_KEY=HASH_KEY)
    started = start()
    assert started.returncode == 0, started.stderr
