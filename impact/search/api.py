"""GET /api/search/: the search page's results as JSON, paginated like the other lists."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination

from impact.api.schema import ID_SCHEMA
from impact.search.forms import SearchForm
from impact.search.selectors import KINDS, MAX_QUERY_LENGTH, Search


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS))
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField(
        help_text="HTML: the title escaped, with the matched words in <mark>."
    )
    snippet = serializers.CharField(
        help_text="HTML: a passage escaped, with the matched words in <mark>."
    )
    url = serializers.CharField()
    rank = serializers.FloatField()
    group = serializers.IntegerField(source="group_id", allow_null=True)
    group_name = serializers.CharField()
    network_name = serializers.CharField()

    def to_representation(self, result) -> dict:
        # The fields above describe the result (the schema, the browsable API); each is a plain
        # read of an attribute the search already made, so it is written here in one step.
        # Going field by field copied the fields on every request and cost a third of the
        # endpoint's Python. A test holds this to what the fields would give.
        return {
            "kind": result.kind,
            "id": result.pk,
            "title": str(result.title),
            "snippet": str(result.snippet),
            "url": str(result.url),
            "rank": float(result.rank),
            "group": result.group_id,
            "group_name": str(result.group_name),
            "network_name": str(result.network_name),
        }


class SearchPagination(PageNumberPagination):
    """The usual page of results, with the number of matches of every kind (the filter's
    counts, over what the person may read). Twenty a page, as on the search page: each
    result's passage is cut from its text with the words marked, which costs per result."""

    page_size = 20

    def paginate_queryset(self, queryset, request, view=None):
        self.search = queryset
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["kinds"] = dict(self.search.counts)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["kinds"] = {
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "example": {key: 0 for key in KINDS},
        }
        schema["required"] = [*schema.get("required", []), "kinds"]
        return schema


@extend_schema(
    parameters=[
        OpenApiParameter(
            "q",
            {"type": "string", "maxLength": MAX_QUERY_LENGTH},
            description="Words to find (quotes for a phrase, -word to leave out, or). "
            "Empty: no results.",
        ),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=list(KINDS)),
        OpenApiParameter("group", ID_SCHEMA, description="Only this group's things."),
    ]
)
class SearchView(generics.ListAPIView):
    """What I may read that matches `q`, best match first: groups, networks, narratives,
    powerful questions and answers, help requests, initiatives, actions and session summaries.
    Ranked with stemming for the request's language; `title` and `snippet` are HTML with the
    matched words in <mark>. `kinds` counts every match of each kind; `count` is what can be
    paged through (each kind's 200 newest matches, ranked)."""

    serializer_class = SearchResultSerializer
    pagination_class = SearchPagination
    filter_backends = []

    def get_queryset(self):
        form = SearchForm(self.request.query_params, user=self.request.user)
        if not form.is_valid():
            raise serializers.ValidationError(
                {name: list(errors) for name, errors in form.errors.items()}
            )
        data = form.cleaned_data
        found = Search(
            user=self.request.user,
            q=data["q"],
            kinds=[data["kind"]] if data["kind"] else [],
            group_id=data["group"],
            language=getattr(self.request, "LANGUAGE_CODE", None),
        )
        found.prepare_page(self.request.query_params.get("page"), self.paginator.page_size)
        return found
