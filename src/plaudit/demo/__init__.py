"""The demo organisation of `plaudit serve --demo`, loaded through the services."""

from plaudit.demo.loader import (
    DemoState,
    DemoSummary,
    demo_state,
    ensure_demo,
    load_demo,
    star_member_id,
)

__all__ = ["DemoState", "DemoSummary", "demo_state", "ensure_demo", "load_demo", "star_member_id"]
