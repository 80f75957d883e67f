"""Every table of the app, imported in one place so migrations and tests see the whole schema."""

from sqlmodel import SQLModel

from cbe_app.auth import models as auth_models
from cbe_app.hub import accounts, catalog, inventory, marketing, orders, payments, runs
from cbe_app.jobs import models as job_models
from cbe_app.packs import models as pack_models
from cbe_app.reports import models as report_models

metadata = SQLModel.metadata

__all__ = [
    "accounts",
    "auth_models",
    "catalog",
    "inventory",
    "job_models",
    "marketing",
    "metadata",
    "orders",
    "pack_models",
    "payments",
    "report_models",
    "runs",
]
