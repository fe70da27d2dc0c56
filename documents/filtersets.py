import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from documents.choices import DocumentKind, DocumentStatus
from documents.models import Document


class DocumentFilterSet(django_filters.FilterSet):
    """The documents list (SPEC 9, 11): by kind, status, reference or policy number."""

    q = django_filters.CharFilter(label=_("Reference or policy number"), method="search")
    kind = django_filters.MultipleChoiceFilter(label=_("Kind"), choices=DocumentKind.choices)
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=DocumentStatus.choices)

    class Meta:
        model = Document
        fields = ["q", "kind", "status"]

    def search(self, queryset, name, value):
        value = value.strip().upper()
        return queryset.filter(
            Q(reference__startswith=value) | Q(policy__policy_number__istartswith=value)
        )
