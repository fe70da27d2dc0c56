import pghistory.admin  # noqa: F401  (registers the events admin)
from django.contrib import admin

from buyers.models import Buyer, BuyerCapacity, NegativeEvent, RelatedParty


class NegativeEventInline(admin.TabularInline):
    model = NegativeEvent
    extra = 0
    fields = ("kind", "occurred_on", "description", "reviews_opened_at")
    readonly_fields = ("reviews_opened_at",)


@admin.register(Buyer)
class BuyerAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "region", "industry", "risk_grade", "status")
    list_filter = ("risk_grade", "status", "region", "industry", "is_public_body")
    search_fields = ("=uscc", "name")
    inlines = [NegativeEventInline]


@admin.register(BuyerCapacity)
class BuyerCapacityAdmin(admin.ModelAdmin):
    list_display = ("risk_grade", "max_exposure")


@admin.register(RelatedParty)
class RelatedPartyAdmin(admin.ModelAdmin):
    list_display = ("buyer", "insured", "relation")
    autocomplete_fields = ("buyer",)
