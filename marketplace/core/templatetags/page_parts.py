"""Personal parts of shared pages (see marketplace/core/pagecache.py).

{% load page_parts %}
{% personal "components/_header_account.html" %}
{% personal "catalog/parts/_follow_category.html" category_id=category.id %}

Renders the template for the current visitor, with the kwargs and what its registered builder adds
(`pagecache.personal_part`). While a page is rendered for the shared cache it prints a marker instead, and
the part is rendered into every answer for whoever asks; the kwargs must be JSON values (ids, numbers, text).
A part's template sees only its kwargs, its builder's context and the request, never the page around it, so it
looks the same cached or not. Only a builder rendered inline may read the page (a form sent back with errors,
whether the viewer is the seller's team); filling a shared page it gets None.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from marketplace.core import pagecache

register = template.Library()


@register.simple_tag(takes_context=True)
def personal(context, template_name: str, **kwargs) -> SafeString:
    request = context.get("request")
    if request is not None and getattr(request, pagecache._RENDERING, False):
        return pagecache.part_marker(template_name, kwargs)
    return mark_safe(pagecache.render_part(request, template_name, kwargs, page=context))  # noqa: S308 - a template's output
