"""A page's printable document as a PDF response: rendered by its template, drawn by weasyprint."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def pdf_response(
    request: HttpRequest, template: str, context: dict[str, Any], filename: str, *, inline: bool = False
) -> HttpResponse:
    """The template drawn as a PDF, downloaded as `filename` (or shown in the browser when `inline`)."""
    import weasyprint  # heavy (pango, fonts): loaded on the first PDF, not with every page

    html = render_to_string(template, context, request=request)
    document = weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response
