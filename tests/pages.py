"""The project's pages, found from the URL configuration, so that a sweep test misses none."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver, reverse


def project_urls() -> list[tuple[str, str]]:
    """(name, pattern) of every page under /p/<project>/."""
    found: list[tuple[str, str]] = []

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif pattern.name and "<slug:project>" in str(pattern.pattern):
                found.append((pattern.name, str(pattern.pattern)))

    walk(get_resolver().url_patterns)
    return found


def page_url(name: str, pattern: str, project: str, pk: int) -> str:
    """The page's address with `pk` for every id in it (an existing customer's: ids differ by database)."""
    kwargs: dict[str, object] = {"project": project}
    for key in ("pk", "site", "seq", "file"):
        if f"<int:{key}>" in pattern:
            kwargs[key] = pk
    if "<str:field>" in pattern:
        kwargs["field"] = "phone"
    if "<slug:name>" in pattern:
        kwargs["name"] = "queue"  # one of the manager's lists exported to Excel
    return reverse(name, kwargs=kwargs)
