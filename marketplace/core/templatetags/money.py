from django import template

from marketplace.core.money import format_money

register = template.Library()


@register.filter(name="money")
def money(value) -> str:
    """{{ order.total|money }} → `1 234 ₽` (ru) or `RUB 1,234` (en)."""
    return format_money(value)
