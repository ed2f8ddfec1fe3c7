"""Peer: frictionless-py validating a customer CSV against a regex-only Table Schema.

No checksums, no phone metadata, no address data: only the shape of each value. Prints
the seconds it took and the number of rows with errors, as JSON.
"""

from __future__ import annotations

import json
import sys
import time

from frictionless import Checklist, Resource, Schema, system, validate

# One string field per column of the sample sheet, with the pattern a regex-only check can give.
PATTERNS = {
    "Short name": None,
    "Full name": None,
    "ERP ID": r"[A-Za-z0-9\-]{1,40}",
    "Registration number": r".{4,60}",
    "Tax ID": r"([A-Za-z]{2})?[0-9A-Za-z .\-]{8,16}",
    "Currency": r".{1,8}",
    "Industry": None,
    "Country": r".{2,60}",
    "City": None,
    "State/Province": None,
    "Address": None,
    "Secondary address": None,
    "Zip/Postal code": r"[0-9A-Za-z \-]{3,10}",
    "First name": None,
    "Last name": None,
    "Role": None,
    "Email address": r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}",
    "Phone number": r"\+?[0-9 ()\-]{6,20}",
}
REQUIRED = {
    "Short name",
    "Full name",
    "ERP ID",
    "Country",
    "City",
    "Address",
    "First name",
    "Last name",
    "Email address",
    "Currency",
}


def schema() -> Schema:
    fields = []
    for name, pattern in PATTERNS.items():
        constraints: dict[str, object] = {"maxLength": 255}
        if pattern:
            constraints["pattern"] = pattern
        if name in REQUIRED:
            constraints["required"] = True
        fields.append({"name": name, "type": "string", "constraints": constraints})
    return Schema.from_descriptor({"fields": fields})


def main(path: str) -> None:
    started = time.perf_counter()
    with system.use_context(trusted=True):  # an absolute path is "unsafe" by default
        resource = Resource(path, schema=schema())
        report = validate(resource, checklist=Checklist(), limit_errors=10_000_000)
    seconds = time.perf_counter() - started
    task = report.tasks[0]
    print(
        json.dumps({"seconds": seconds, "rows": task.stats.get("rows"), "errors": task.stats.get("errors")})
    )


if __name__ == "__main__":
    main(sys.argv[1])
