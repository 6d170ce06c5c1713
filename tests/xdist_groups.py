"""`--dist loadgroup` on pytest 9.2 and later.

pytest-xdist (3.8) puts a test in its group by appending `@<group>` to `item._nodeid` in the
worker; the controller then sends every test whose id ends in the same `@<group>` to one
worker. pytest 9.2 keeps a node's id in `item._id` instead, so the suffix is written where
nothing reads it and the groups silently fall apart (the `serial` tests then run side by side).
This hook, running after xdist's, carries the suffix over; and it stops the run if a grouped
test still has no suffix, so that grouping can never silently stop working again.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not getattr(config.option, "loadgroup", False):  # set in xdist workers only
        return
    for item in items:
        grouped = item.__dict__.get("_nodeid")
        if isinstance(grouped, str) and grouped != item.nodeid and hasattr(item, "_id"):
            from _pytest.nodeid import NodeId  # pytest >= 9.2, where the id lives

            item._id = NodeId.parse(grouped)
        if item.get_closest_marker("xdist_group") is not None and "@" not in item.nodeid:
            raise pytest.UsageError(
                f"{item.nodeid} is in an xdist group but its id has no @group suffix: this "
                "pytest-xdist cannot group tests on this pytest, so the serial tests would run "
                "in parallel (see tests/xdist_groups.py)"
            )
