"""The API's list filtering (settings REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]).

Two rules on top of django-filter and DRF's ordering:

- A query parameter that no filter, the ordering or the pagination knows is refused with
  400 naming it (`?search=` or `?uscc=` used to be ignored and return the whole list).
- An id filter on a relation (`?policy=12`) compares numbers: an id the caller may not
  see answers exactly like one that does not exist, with an empty list. (django-filter's
  default, a choice among every row of the table, answered 400 for a missing id and an
  empty 200 for another organisation's, telling which ids exist.)

Its own module, importing no DRF views: DRF reads these settings while importing them.
"""

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as drf_filters
from rest_framework import exceptions, filters
from rest_framework.settings import api_settings

ERROR_UNKNOWN_PARAMETER = _("Unknown query parameter. This list takes: %(known)s.")


class IdFilter(django_filters.NumberFilter):
    """A relation's id as a whole number."""

    field_class = forms.IntegerField


class FilterSet(drf_filters.FilterSet):
    FILTER_DEFAULTS = {
        **drf_filters.FilterSet.FILTER_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
    }


class DjangoFilterBackend(drf_filters.DjangoFilterBackend):
    filterset_base = FilterSet


def _filter_parameters(filterset_class) -> set[str]:
    names = set()
    for name, filter_ in filterset_class.base_filters.items():
        widget = filter_.field.widget
        if getattr(widget, "suffixes", None):  # django-filter's range widgets
            names |= {f"{name}_{suffix}" if suffix else name for suffix in widget.suffixes}
        elif isinstance(widget, forms.MultiWidget):
            names |= {f"{name}{suffix}" for suffix in widget.widgets_names}
        else:
            names.add(name)
    return names


def known_query_parameters(view, queryset) -> set[str]:
    """Every query parameter `view` reads: its filters, ordering, pagination and format."""
    known = {api_settings.URL_FORMAT_OVERRIDE} - {None}
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        known |= {
            getattr(paginator, name, None)
            for name in ("page_query_param", "page_size_query_param", "cursor_query_param")
        } - {None}
    for backend_class in getattr(view, "filter_backends", []):
        if issubclass(backend_class, drf_filters.DjangoFilterBackend):
            filterset_class = backend_class().get_filterset_class(view, queryset)
            if filterset_class is not None:
                known |= _filter_parameters(filterset_class)
        elif issubclass(backend_class, filters.OrderingFilter):
            known.add(backend_class.ordering_param)
        elif issubclass(backend_class, filters.SearchFilter):
            known.add(backend_class.search_param)
    return known


def refuse_unknown_query_parameters(request, known: set[str]) -> None:
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        message = ERROR_UNKNOWN_PARAMETER % {"known": ", ".join(sorted(known)) or "-"}
        raise exceptions.ValidationError({name: [message] for name in unknown})


class KnownQueryParameters(filters.BaseFilterBackend):
    """First of the filter backends: refuses what the others would silently ignore."""

    def filter_queryset(self, request, queryset, view):
        refuse_unknown_query_parameters(request, known_query_parameters(view, queryset))
        return queryset
