"""The portfolio report page (SPEC 4, 5): the insurer's exposure over its whole book."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.choices import Industry, Province
from core.mixins import StaffRequiredMixin
from limits.reports import portfolio_report

TOP_BUYERS = 100


class PortfolioReportView(StaffRequiredMixin, TemplateView):
    """Exposure by grade, region and industry and the largest buyers: two queries
    whatever the size of the book (`limits.reports.portfolio_report`)."""

    template_name = "limits/portfolio.html"

    def get_context_data(self, **kwargs):
        report = portfolio_report(top=TOP_BUYERS)
        regions, industries = dict(Province.choices), dict(Industry.choices)
        return super().get_context_data(
            title=_("Portfolio exposure"),
            report=report,
            by_region=[(regions.get(row.key, row.key), row) for row in report.by_region],
            by_industry=[(industries.get(row.key, row.key), row) for row in report.by_industry],
            **kwargs,
        )
