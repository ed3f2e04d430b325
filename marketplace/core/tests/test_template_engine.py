"""The template backend keeps the output of constant translate, url and static tags (marketplace/core/template_engine.py)."""

from __future__ import annotations

import re

import pytest
from django.template import Context
from django.template.loader import get_template
from django.test import override_settings
from django.urls import set_script_prefix
from django.utils import translation

from marketplace.core.template_engine import (
    KeepingEngine,
    KeptStaticNode,
    KeptTranslateNode,
    KeptURLNode,
)


def engine(**templates: str) -> KeepingEngine:
    """An engine like the site's (cached loader, i18n built in) over the given templates."""
    return KeepingEngine(
        loaders=[("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", templates)])],
        builtins=["django.templatetags.i18n"],
        libraries={"static": "django.templatetags.static"},
    )


def render(an_engine: KeepingEngine, name: str, context: dict | None = None, *, autoescape: bool = True) -> str:
    return an_engine.get_template(name).render(Context(context or {}, autoescape=autoescape))


def test_the_sites_templates_have_their_constant_tags_kept():
    nodes = get_template("base.html").template.nodelist.get_nodes_by_type(object)
    kinds = {type(node) for node in nodes}

    assert {KeptTranslateNode, KeptURLNode, KeptStaticNode} <= kinds


def test_a_kept_translation_follows_the_active_language():
    pages = engine(page='{% translate "Filters" %}')

    with translation.override("ru"):
        first = render(pages, "page")
    with translation.override("en"):
        english = render(pages, "page")
    with translation.override("ru"):
        again = render(pages, "page")

    assert (first, english, again) == ("Фильтры", "Filters", "Фильтры")


def test_a_translation_of_a_variable_is_worked_out_each_time():
    pages = engine(page="{% translate message %}")

    with translation.override("ru"):
        assert render(pages, "page", {"message": "Filters"}) == "Фильтры"
        assert render(pages, "page", {"message": "Search"}) == "Поиск"
    node = pages.get_template("page").nodelist[0]
    assert not isinstance(node, KeptTranslateNode)


def test_a_translation_with_a_context_keeps_its_context():
    pages = engine(page='{% translate "from" context "price range" %}|{% translate "to" context "price range" %}')

    with translation.override("ru"):
        assert render(pages, "page") == "от|до"


def test_kept_tags_give_what_djangos_own_give_with_autoescape_on_and_off():
    from django.template import Engine

    source = "{% load static %}{% translate \"Seller's <b>shop</b> & more\" %}|{% url 'home' %}|{% static 'a&b.css' %}"
    pages = engine(page=source)
    plain = Engine(builtins=["django.templatetags.i18n"], libraries={"static": "django.templatetags.static"})

    for autoescape in (True, False, True):
        expected = plain.from_string(source).render(Context({}, autoescape=autoescape))
        assert render(pages, "page", autoescape=autoescape) == expected


def test_an_as_variable_is_set_on_every_render():
    pages = engine(page="{% url 'home' as home %}{% translate 'Filters' as title %}[{{ home }}|{{ title }}]")

    with translation.override("en"):
        outputs = [render(pages, "page") for _ in range(3)]

    assert outputs == ["[/|Filters]"] * 3


def test_a_kept_url_follows_the_script_prefix():
    pages = engine(page="{% url 'catalog:search' %}")

    try:
        at_root = render(pages, "page")
        set_script_prefix("/shop/")
        under_prefix = render(pages, "page")
    finally:
        set_script_prefix("/")

    assert at_root == "/search/"
    assert under_prefix == "/shop/search/"
    assert render(pages, "page") == "/search/"


def test_a_url_with_a_variable_argument_is_worked_out_each_time():
    pages = engine(page="{% url 'legal:document' slug %}")

    assert render(pages, "page", {"slug": "terms"}).endswith("/terms/")
    assert render(pages, "page", {"slug": "privacy"}).endswith("/privacy/")


def test_a_changed_setting_renders_kept_tags_afresh():
    pages = engine(page="{% load static %}{% static 'css/theme.css' %}")

    with override_settings(STATIC_URL="/first/", STORAGES={"staticfiles": {"BACKEND": STATIC}}):
        first = render(pages, "page")
    with override_settings(STATIC_URL="/second/", STORAGES={"staticfiles": {"BACKEND": STATIC}}):
        second = render(pages, "page")

    assert (first, second) == ("/first/css/theme.css", "/second/css/theme.css")


STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


def masked(page: str) -> str:
    """The page with its CSRF token (masked afresh on every render) left out."""
    return re.sub(r'(X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', r"\1", page)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.django_db
def test_a_page_with_kept_tags_is_the_same_as_djangos_own_engine_gives(rf, language):
    """base.html (23 kept translations, 11 URLs, 7 static files) rendered twice against a plain Django engine."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.template import Engine, RequestContext, engines

    site = engines["django"].engine
    plain = Engine(
        dirs=site.dirs,
        app_dirs=True,
        context_processors=site.context_processors,
        builtins=["django.templatetags.i18n"],
        libraries=site.libraries,
    )
    request = rf.get("/search/?q=чайник")
    request.user = AnonymousUser()
    request.session = SessionStore()

    with translation.override(language):
        ours = [site.get_template("base.html").render(RequestContext(request, {})) for _ in range(2)]
        djangos = plain.get_template("base.html").render(RequestContext(request, {}))

    assert masked(ours[0]) == masked(ours[1]) == masked(djangos)
    assert f'lang="{language}"' in djangos


def test_a_translation_file_changed_under_the_autoreloader_renders_kept_tags_afresh(tmp_path):
    from pathlib import Path

    from django.utils.autoreload import file_changed

    from marketplace.core import template_engine

    pages = engine(page='{% translate "Filters" %}')
    with translation.override("ru"):
        render(pages, "page")
    node = pages.get_template("page").nodelist[0]
    generation = template_engine._generation

    file_changed.send(sender=None, file_path=Path(tmp_path / "django.po"))
    assert template_engine._generation == generation
    file_changed.send(sender=None, file_path=Path(tmp_path / "django.mo"))
    assert template_engine._generation == generation + 1
    with translation.override("ru"):
        assert render(pages, "page") == "Фильтры"
    assert node._kept_in == generation + 1  # kept again, the earlier outputs dropped
    assert len(node._kept) == 1
