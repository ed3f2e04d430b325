def set_marketing_consent(*, user, consent: bool, source: str) -> None:
    raise NotImplementedError
