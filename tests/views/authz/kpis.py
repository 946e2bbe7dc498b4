"""The KPI dashboard."""
from . import staff

ROWS = [
    staff("GET", "/admin/kpis"),
]
