"""The entry point loads the command with the collector off, then freezes what loaded."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from auditor import launch
from auditor.cli.collector import loaded


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does to the collector, the test process gets its own back."""
    yield
    gc.unfreeze()
    gc.enable()


def test_the_command_loads_with_the_collector_off_then_it_is_frozen_and_on(
    collector: None,
) -> None:
    gc.enable()
    before = gc.get_freeze_count()
    with pytest.raises(SystemExit) as exited:
        launch.main(["history", "--help"])
    assert exited.value.code == 0
    assert gc.isenabled()  # the audit runs with the collector on
    # `loaded` freezes only a collector that is off: main turned it off before the imports.
    assert gc.get_freeze_count() > before


def test_a_process_with_its_collector_on_is_left_alone(collector: None) -> None:
    gc.enable()
    before = gc.get_freeze_count()
    loaded()
    assert gc.isenabled()
    assert gc.get_freeze_count() == before
