"""onboard: bulk customer onboarding from spreadsheets into a store of pending customers."""

__version__ = "0.1.0"
