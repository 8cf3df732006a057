"""The stock ledger: every change of stock at a site is a movement posted here."""
