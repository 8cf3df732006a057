"""The one error the ledger raises for a refused movement."""

from __future__ import annotations


class LedgerError(ValueError):
    """A movement breaks a ledger rule; names the field, the value and the rule.

    Same shape as :class:`oxyflow.core.demand.DemandError`, so the API answers 422 with
    the field in ``loc``. Nothing is stored when it is raised.
    """

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}={value} is invalid: {rule}")
