"""Fixtures for the stock tests: the world's LOX and a cylinder product."""

from __future__ import annotations

import pytest

from oxyflow.registry import models as reg
from tests.factories import World, create_lox_product
from tests.stock.helpers import create_cylinder_product


@pytest.fixture
def lox(world: World) -> reg.Product:
    """Liquid oxygen, counted in kg."""
    return create_lox_product()


@pytest.fixture
def cylinders(world: World) -> reg.Product:
    """Gaseous oxygen in 50 L cylinders, counted in cylinders."""
    return create_cylinder_product()
