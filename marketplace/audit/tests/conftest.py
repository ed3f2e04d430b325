import pytest


@pytest.fixture
def superuser(db, password):
    """An administrator with TOTP set up and the current terms accepted (staff pages need both)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP

    from marketplace.accounts.models import User
    from marketplace.legal import selectors, services

    user = User.objects.create_superuser(email="root@example.com", password=password)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    services.accept_documents(
        user=user, documents=selectors.documents_requiring_acceptance(), ip_address=None, source="test"
    )
    return user


def form_data(response) -> dict:
    """The POST body an admin change form would send back unchanged (editable fields only)."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name, field.initial)
        if callable(value):
            value = value()
        if isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif value is None:
            data[name] = ""
        else:
            data[name] = getattr(value, "pk", value)
    return data
