"""The store's fixtures, registered once for every module here, so one PostgreSQL cluster serves them all."""

from store_fixtures import db_url, postgres_url, store  # noqa: F401  (fixtures are used by name)
