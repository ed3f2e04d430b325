"""Django's database sessions (PostgreSQL, so sign-ins survive a Redis outage), read by a prepared statement.

Every signed-in request reads its session row. Through the ORM, building and compiling that look-up by key cost
more than PostgreSQL spent answering it; here it is written once and planned once per connection
(marketplace.core.db). Rows, their encoding, expiry and every write are Django's own: `SESSION_ENGINE` can point
back at `django.contrib.sessions.backends.db` without anyone being signed out.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

from marketplace.core.db import prepared_cursor

KEY_LENGTH = 40  # the session_key column's length


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        model = self.model
        session_key = self.session_key
        if not session_key or len(session_key) > KEY_LENGTH or not (session_key.isascii() and session_key.isalnum()):
            # never issued here (keys are 32 lowercase letters and digits): a forged cookie is no session
            self._session_key = None
            return None
        meta = model._meta
        key, data, expiry = (meta.get_field(name).column for name in ("session_key", "session_data", "expire_date"))
        with prepared_cursor() as cursor:
            cursor.execute(
                f'SELECT "{data}", "{expiry}" FROM "{meta.db_table}" WHERE "{key}" = %s AND "{expiry}" > %s',  # noqa: S608 - the model's own names
                [session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=session_key, session_data=row[0], expire_date=row[1])
