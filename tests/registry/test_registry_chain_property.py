"""Property: any sequence of promotions and rollbacks agrees with a plain stack of holders."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console import registry
from console.errors import NoPreviousVersionError
from console.registry import queries
from console.store.state import Store

VERSIONS = 4
ops = st.lists(
    st.one_of(
        st.tuples(st.just("promote"), st.integers(1, VERSIONS)),
        st.tuples(st.just("rollback"), st.none()),
        st.tuples(st.just("rollback_to"), st.integers(1, VERSIONS)),
    ),
    max_size=12,
)
_names = itertools.count()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=ops)
def test_rollbacks_follow_the_stack_of_holders(tmp_path: Path, steps: list[tuple[str, int | None]]) -> None:
    store = Store(tmp_path / "state")
    name = f"m{next(_names)}"
    try:
        for _ in range(VERSIONS):
            registry.register(store, name, {"w": 1})
        stack: list[int] = []
        for op, version in steps:
            if op == "promote":
                assert version is not None
                registry.promote(store, name, version)
                if not stack or stack[-1] != version:
                    stack.append(version)
            elif op == "rollback":
                if len(stack) < 2:
                    try:
                        registry.rollback(store, name)
                    except NoPreviousVersionError:
                        continue
                    raise AssertionError("rollback without a previous holder did not refuse")
                registry.rollback(store, name)
                stack.pop()
            else:
                assert version is not None
                if not stack:
                    try:
                        registry.rollback(store, name, to=version)
                    except NoPreviousVersionError:
                        continue
                    raise AssertionError("rollback of an unset alias did not refuse")
                registry.rollback(store, name, to=version)
                if version == stack[-1]:
                    pass  # already the holder: a no-op, no audit row, the chain is unchanged
                elif version in stack:
                    del stack[len(stack) - stack[::-1].index(version) :]
                else:
                    stack.append(version)
            assert queries.aliases_of(store.db, name).get("production") == (stack[-1] if stack else None)
    finally:
        store.close()
