"""Django admin, Django and allauth messages that we translate into Russian ourselves.

Why this module exists
----------------------
Django's admin builds many sentences by putting a model's ``verbose_name`` into a phrase:
"Select %s to change", "Add %s", "The {name} “{obj}” was changed successfully." and so on.
The upstream Russian catalogues translate them word for word, which only works for a masculine
noun that is the same in the nominative and the accusative. With our models that gives
«Выберите заявка продавца для изменения», «Добавить заявка продавца», «заявка продавца … был
успешно изменен», «Удалить выбранные очередь модерации», «Успешно удалены 5 заявки продавцов».

Russian cannot inflect an interpolated noun, so our translations rephrase every such message so
that the noun stands on its own in the nominative — after a colon or in parentheses — and the
verb agrees with a word we control («объект»): «Выберите объект для изменения:
заявка продавца», «Добавить: заявка продавца», «Объект «…» (заявка продавца) изменён.».

Our catalogue (``LOCALE_PATHS``, ``marketplace/locale``) is merged after Django's and the
installed apps' catalogues, so its translation wins. But ``makemessages --no-obsolete`` only keeps
msgids it finds in our own code; this module is where they are found. Every string below is the
exact msgid used by Django 5.2 / django-allauth 65 (``marketplace/core/tests/test_admin_russian.py``
checks that the upstream catalogues still contain each of them and that ours translates each).
Nothing here translates anything at run time: ``gettext_noop`` and the local ``ngettext`` below
only mark strings for xgettext (which knows both names) and return them unchanged.

The changelist's count under the table ("5 заявки продавцов") is not a message at all but template
logic; ``templates/admin/pagination.html`` shows it as «Заявки продавцов: 5» instead.

Left to upstream on purpose: the JavaScript catalogue (``djangojs``: the counters read «Выбрано 3
из 5», the only "%s" strings name many-to-many fields that are plural nouns already) and messages
that interpolate an object, a user name, an e-mail or a site name rather than a model name.
"""

from django.utils.translation import gettext_noop


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural msgid pair for xgettext (a default keyword, arguments 1 and 2); translate nothing."""
    return (singular, plural)


# Page titles, buttons and breadcrumbs: %s / %(name)s is a model's verbose_name.
TITLES = (
    gettext_noop("Select %s"),  # changelist in a popup
    gettext_noop("Select %s to change"),  # changelist
    gettext_noop("Select %s to view"),  # changelist, view-only permission
    gettext_noop("Add %s"),  # add form title
    gettext_noop("Add %(name)s"),  # "Add" button on the changelist, add form breadcrumb
    gettext_noop("Change %s"),  # change form title
    gettext_noop("View %s"),  # change form title, view-only permission
    gettext_noop("Add another %(verbose_name)s"),  # inline formsets
    gettext_noop("Cannot delete %(name)s"),  # delete pages when something is protected
    gettext_noop("Select all %(total_count)s %(module_name)s"),  # changelist actions bar
    # The buttons next to a foreign key in a form: %(model)s is the related model.
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("View selected %(model)s"),
)

# Messages after saving or deleting: {name} / %(name)s is a verbose_name, {obj} the object link.
MESSAGES = (
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    # %(name)s / %(items)s come from admin.utils.model_ngettext, which picks verbose_name for 1
    # and verbose_name_plural otherwise (the English rule): never put them next to the count.
    ngettext(
        "%(count)s %(name)s was changed successfully.",
        "%(count)s %(name)s were changed successfully.",
    ),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
)

# Bulk actions on the changelist.
ACTIONS = (
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("0 of %(cnt)s selected"),
    ngettext("%(total_count)s selected", "All %(total_count)s selected"),
)

# Delete confirmation pages (admin/delete_confirmation.html, delete_selected_confirmation.html).
DELETE_CONFIRMATION = (
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? '
        "All of the following related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types of "
        "objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following "
        "objects and their related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related objects, but "
        "your account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would require deleting the following protected related objects:"
    ),
    # Inline formsets refusing to delete a row that protected objects point at.
    gettext_noop("%(class_name)s %(instance)s"),
    gettext_noop(
        "Deleting %(class_name)s %(instance)s would require deleting the following protected "
        "related objects: %(related_objects)s"
    ),
)

# Object history (admin LogEntry): {name} is the verbose_name of an inline's model.
HISTORY = (
    gettext_noop("Added “%(object)s”."),
    gettext_noop("Changed “%(object)s” — %(changes)s"),
    gettext_noop("Deleted “%(object)s.”"),
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Changed {fields}."),
    gettext_noop("Deleted {name} “{object}”."),
)

# Django model validation, shown in the admin and in our own model forms: «с таким Цена» otherwise.
VALIDATION = (gettext_noop("%(model_name)s with this %(field_label)s already exists."),)

# django-allauth pages our users see (MFA overview and recovery codes; every account e-mail).
ALLAUTH = (
    ngettext(
        "There is %(unused_count)s out of %(total_count)s recovery codes available.",
        "There are %(unused_count)s out of %(total_count)s recovery codes available.",
    ),
    gettext_noop("Thank you for using %(site_name)s!\n%(site_domain)s"),
)

#: Which upstream catalogue each group comes from (django.po of that package's ``locale``).
UPSTREAM = {
    "django.contrib.admin": (TITLES, MESSAGES, ACTIONS, DELETE_CONFIRMATION, HISTORY),
    "django": (VALIDATION,),
    "allauth": (ALLAUTH,),
}
