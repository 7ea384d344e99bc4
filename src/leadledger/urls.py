"""URL configuration; the pages arrive with the desk (issue: reception desk)."""

urlpatterns: list[object] = []
