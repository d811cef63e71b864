"""The search page: the header's box sends its words here."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from impact.search.forms import SearchForm
from impact.search.selectors import KINDS, Search

PAGE_SIZE = 20


@login_required
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None, user=request.user)
    found = page = None
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        found = Search(
            user=request.user,
            q=data["q"],
            kinds=[data["kind"]] if data["kind"] else [],
            group_id=data["group"],
            language=request.LANGUAGE_CODE,
        )
        found.prepare_page(request.GET.get("page"), PAGE_SIZE)
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    # Every kind with its count, for the filter (counts only over what the person may read).
    counts = found.counts if found else {}
    kinds = [(key, str(kind.label), counts.get(key, 0)) for key, kind in KINDS.items()]
    return render(
        request,
        "search/search.html",
        {
            "form": form,
            "page": page,
            "found": found,
            "kinds": kinds,
            "selected_kind": form.cleaned_data.get("kind", "") if form.is_bound else "",
            "group": form.cleaned_data.get("group") if form.is_bound else None,
        },
    )
