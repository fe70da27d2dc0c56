"""The two limit calculators shown beside the application form (SPEC 5)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views import View

from limits.forms import (
    PeakCalculatorForm,
    TurnoverCalculatorForm,
)
from limits.rules import peak_outstanding, turnover_method_limit

# --- calculators (SPEC 5) ------------------------------------------------------------------------


class TurnoverCalculatorView(LoginRequiredMixin, View):
    """Turnover method: annual credit sales ÷ (360 ÷ credit days), as an HTML fragment."""

    def post(self, request):
        data = request.POST if request.method == "POST" else request.GET
        form = TurnoverCalculatorForm(data, prefix="turnover")
        result = None
        if form.is_valid():
            result = turnover_method_limit(
                annual_credit_sales=form.cleaned_data["annual_credit_sales"],
                credit_days=form.cleaned_data["credit_days"],
            )
        return render(request, "limits/_calc_turnover.html", {"form": form, "result": result})

    get = post


class PeakCalculatorView(LoginRequiredMixin, View):
    """Peak-outstanding method: replay invoices and payments, as an HTML fragment."""

    def post(self, request):
        data = request.POST if request.method == "POST" else request.GET
        form = PeakCalculatorForm(data, prefix="peak")
        peak = peak_on = None
        if form.is_valid():
            peak, peak_on = peak_outstanding(form.cleaned_data["movements"])
        return render(
            request,
            "limits/_calc_peak.html",
            {"form": form, "peak": peak, "peak_on": peak_on},
        )

    get = post
