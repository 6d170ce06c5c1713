"""Property: whatever text an achievement, issuer or recipient carries, a credential Plaudit
signs (pyld's RDFC-1.0 in Python) verifies with the independent verifier (jsonld.js and
rdf-canonize in node), so both canonicalise it alike; and one changed character fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from plaudit.openbadges import data_integrity, did, v3
from plaudit.openbadges.multikey import public_multibase
from tests.openbadges.verifier import verify_all

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
DID = did.did_web("https://badges.example.test")
PUBLIC = did.PublicKey(1, public_multibase(KEY.public_key()))
METHOD = did.verification_method_id(DID, PUBLIC)
DOCUMENTS = {DID: did.did_document(DID, [PUBLIC])}

texts = st.text(min_size=1, max_size=40)
facts = st.fixed_dictionaries(
    {
        "name": texts,
        "description": st.text(max_size=80),
        "criteria": texts,
        "issuer": texts,
        "email": texts,
        "salt": st.text(alphabet="0123456789abcdef", min_size=8, max_size=32),
        # Awarded between 2000 and 2020: the verifier refuses a credential whose validFrom is
        # after its own clock (10**9 seconds reached 2031, and failed once today passed it).
        "seconds": st.integers(min_value=0, max_value=20 * 365 * 24 * 3600),
    }
)


def _signed(f: dict[str, Any]) -> dict[str, Any]:
    awarded = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=f["seconds"])
    credential = v3.open_badge_credential(
        issuer=v3.IssuerFacts(DID, f["issuer"], "https://badges.example.test", "b@x.test"),
        achievement=v3.AchievementFacts(
            "https://badges.example.test/ob/v2/badges/1-1",
            f["name"],
            f["description"],
            f["criteria"],
        ),
        award=v3.AwardFacts(
            "https://badges.example.test/ob/v3/credentials/p", awarded, None, f["email"], f["salt"]
        ),
        status=None,
    )
    return data_integrity.sign(
        credential, KEY, verification_method=METHOD, created=v3.timestamp(awarded)
    )


CONTROLS = "".join(map(chr, [*range(0x20), 0x7F])) + '"\\ é 😀'


# Each example runs node once: few examples, and no shrinking (a failure shows its batch).
@settings(max_examples=5, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(st.lists(facts, min_size=1, max_size=12))
@example(
    [
        {
            "name": CONTROLS,
            "description": CONTROLS,
            "criteria": CONTROLS,
            "issuer": CONTROLS,
            "email": CONTROLS,
            "salt": "00",
            "seconds": 0,
        }
    ]
)
def test_credentials_with_any_text_verify_independently(batch: list[dict[str, Any]]) -> None:
    signed = [_signed(f) for f in batch]
    changed = [{**s, "name": s["name"] + "!"} for s in signed]
    answers = verify_all(signed + changed, DOCUMENTS)
    assert [a["verified"] for a in answers[: len(signed)]] == [True] * len(signed), answers
    assert [a["verified"] for a in answers[len(signed) :]] == [False] * len(signed)
