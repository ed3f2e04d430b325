"""Django's template engine, with the output of constant `{% translate %}`, `{% url %}` and `{% static %}` tags kept.

`{% translate "Filters" %}`, `{% url 'home' %}` and `{% static 'css/theme.css' %}` give the same text every time for
a language (and, for a URL, a script prefix, URL conf and current app): the translation catalogues, the URL conf
and the static files' manifest are loaded once per process. Yet each one is worked out on every render, through a
lazy translation, a reverse() or a manifest lookup. Every page has dozens of them (55 on the home page): working
them out was a tenth of a search page's and of the home page's CPU.

This backend compiles templates exactly as Django's own does. When the engine first finds a template it marks
such tags whose arguments are all literals; each one then keeps its output per key in the node itself, for as long
as the process runs. A changed setting (tests' override_settings) or a translation file changed under `make
run`'s autoreloader starts every kept output afresh. Templates
made from a string (`Template("...")`) are left as they are.
"""

from __future__ import annotations

from django.core.signals import setting_changed
from django.template import Engine, Variable
from django.template.backends.django import DjangoTemplates as DjangoTemplatesBackend
from django.template.base import FilterExpression, Node
from django.template.defaulttags import URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.autoreload import file_changed

_generation = 0  # bumped by every changed setting: a node's kept outputs are only used in the generation that made them


def _settings_changed(**kwargs) -> None:
    global _generation
    _generation += 1


def _file_changed(sender, file_path, **kwargs) -> None:
    """`make run`'s autoreloader reloads a changed translation (.mo) without a restart: so must the kept text."""
    if file_path.suffix == ".mo":
        _settings_changed()


setting_changed.connect(_settings_changed, dispatch_uid="marketplace-template-engine-folding")
file_changed.connect(_file_changed, dispatch_uid="marketplace-template-engine-translations")


def _literal(expression: FilterExpression | None) -> bool:
    """A template argument written as a constant ("text", 'name', 3) with no filters."""
    if expression is None:
        return True
    if expression.filters:
        return False
    return not isinstance(expression.var, Variable) or expression.var.literal is not None


class _Kept(Node):
    """A tag whose output depends only on `_key(context)`: rendered once per key, then given back.

    Mixed into a subclass of the tag's own class: the tag's own render (and its `as` variable) does the work.
    """

    _asvar_attribute = "asvar"

    def render(self, context):
        if self._kept_in != _generation:  # kept before a setting changed: start afresh
            self._kept, self._kept_in = {}, _generation
        key = (context.autoescape, *self._key(context))
        kept = self._kept.get(key)
        if kept is None:
            output = super().render(context)
            asvar = getattr(self, self._asvar_attribute)
            kept = self._kept[key] = (output, context[asvar] if asvar else None)
        asvar = getattr(self, self._asvar_attribute)
        if asvar:
            context[asvar] = kept[1]
        return kept[0]

    def _key(self, context) -> tuple:
        return ()


class KeptTranslateNode(_Kept, TranslateNode):
    def _key(self, context) -> tuple:
        return (translation.get_language(),)


class KeptURLNode(_Kept, URLNode):
    def _key(self, context) -> tuple:
        # the current app as URLNode.render works it out
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        return (translation.get_language(), get_script_prefix(), get_urlconf(), current_app)


class KeptStaticNode(_Kept, StaticNode):
    _asvar_attribute = "varname"


def _keepable(node: Node) -> type[Node] | None:
    """The kept class for a tag whose every argument is a literal (None for any other node)."""
    if type(node) is TranslateNode:
        message = node.filter_expression
        if isinstance(message.var, Variable) and message.var.literal is not None and not message.filters:
            return KeptTranslateNode if _literal(node.message_context) else None
    elif type(node) is URLNode:
        arguments = [node.view_name, *node.args, *node.kwargs.values()]
        return KeptURLNode if all(_literal(argument) for argument in arguments) else None
    elif type(node) is StaticNode:
        return KeptStaticNode if _literal(node.path) else None
    return None


def keep_constant_tags(template) -> int:
    """Mark `template`'s constant translate, url and static tags (see the module's docstring); how many."""
    nodelist = getattr(template, "nodelist", None)
    if nodelist is None:
        return 0
    marked = 0
    for node in nodelist.get_nodes_by_type(Node):
        kept_class = _keepable(node)
        if kept_class is not None:
            node.__class__ = kept_class
            node._kept, node._kept_in = {}, _generation
            marked += 1
    return marked


class KeepingEngine(Engine):
    """Django's Engine; each template it finds has its constant tags marked once (the loaders keep the template)."""

    def find_template(self, name, dirs=None, skip=None):
        template, origin = super().find_template(name, dirs, skip)
        if not getattr(template, "_constant_tags_kept", False):
            keep_constant_tags(template)
            template._constant_tags_kept = True
        return template, origin


class DjangoTemplates(DjangoTemplatesBackend):
    """The `django` backend with a KeepingEngine: TEMPLATES' BACKEND."""

    def __init__(self, params):
        super().__init__(params)
        self.engine.__class__ = KeepingEngine  # the engine Django built from these settings, with find_template above
