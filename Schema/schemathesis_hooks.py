"""schemathesis hooks for Schema/check-emulator.sh.

Every mutating operation takes an `Idempotency-Key`, and the contracts say that the
same key with another method, path or body is 422 `idempotency_conflict`. schemathesis
draws keys from the header's schema and so repeats short ones ("0") across different
requests, which the emulator rightly refuses. A well-formed key is therefore made
unique per request; malformed keys (negative tests) are left as generated. Key reuse
itself is covered by the emulator's own tests.
"""

import uuid

import schemathesis


def _well_formed(key):
    return isinstance(key, str) and 1 <= len(key) <= 255 and all(0x20 <= ord(c) <= 0x7E for c in key)


@schemathesis.hook
def map_headers(context, headers):
    if headers:
        for name in list(headers):
            if name.lower() == "idempotency-key" and _well_formed(headers[name]):
                headers[name] = "check-" + uuid.uuid4().hex
    return headers
