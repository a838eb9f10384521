from __future__ import annotations

from django import template

from toxinclinic.outcomes.instruments import Item

register = template.Library()


@register.filter
def item_range(item: Item) -> range:
    return range(item.minimum, item.maximum + 1)
