"""The KPI dashboard for the product team."""
from flask import Blueprint, render_template, request

from ..access import staff_only
from ..models import utcnow
from . import charts, queries
from .forms import PeriodForm

bp = staff_only(Blueprint("kpis", __name__, url_prefix="/admin/kpis"))


@bp.get("")
def dashboard():
    form = PeriodForm(request.args)
    valid = form.validate()
    period = form.period.data if valid else queries.DEFAULT_PERIOD
    kpis = queries.dashboard(period=period, now=utcnow())
    return render_template(
        "kpis/dashboard.html", form=form, kpis=kpis, charts=charts.layout(kpis), periods=queries.PERIODS
    ), 200 if valid else 400
