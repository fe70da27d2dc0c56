import pghistory.admin  # noqa: F401  (registers the events admin)
from django.contrib import admin

from buyers.models import Buyer, BuyerCapacity, NegativeEvent, RelatedParty
from buyers.services import BUYER_FIELDS, buyer_create, buyer_update


class NegativeEventInline(admin.TabularInline):
    """Negative events are shown here; they are recorded on the buyer page, where the
    service opens the reviews they trigger (SPEC 4, 5)."""

    model = NegativeEvent
    extra = 0
    fields = ("kind", "occurred_on", "description", "reviews_opened_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Buyer)
class BuyerAdmin(admin.ModelAdmin):
    """Saves go through the buyer services, so that a change of grade has its
    consequences (grade 10 suspends every limit on the buyer, SPEC 4)."""

    list_display = ("name", "uscc", "region", "industry", "risk_grade", "status")
    list_filter = ("risk_grade", "status", "region", "industry", "is_public_body")
    search_fields = ("=uscc", "name")
    inlines = [NegativeEventInline]

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in BUYER_FIELDS if name in form.cleaned_data
        }
        if change:
            saved = buyer_update(actor=request.user, buyer_id=obj.pk, **fields)
        else:
            saved = buyer_create(actor=request.user, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(BuyerCapacity)
class BuyerCapacityAdmin(admin.ModelAdmin):
    list_display = ("risk_grade", "max_exposure")


@admin.register(RelatedParty)
class RelatedPartyAdmin(admin.ModelAdmin):
    list_display = ("buyer", "insured", "relation")
    autocomplete_fields = ("buyer",)
