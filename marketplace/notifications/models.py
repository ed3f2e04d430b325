from django.conf import settings  # noqa: F401
