"""Pages of the strategy room (language-prefixed: /ro/proiecte/..., /en/projects/...)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.legacy_urls import english_paths_redirect
from strategy import views

app_name = "strategy"

urlpatterns = [
    path("", views.home, name="home"),
    path(_("strategy/"), views.overview, name="overview"),
    path(_("ambitions/<int:number>/"), views.ambition_detail, name="ambition"),
    path(_("projects/"), views.project_list, name="projects"),
    path(_("projects/<str:code>/"), views.project_detail, name="project"),
    path(_("kpis/"), views.kpi_list, name="kpis"),
    path(_("kpis/<str:code>/"), views.kpi_detail, name="kpi"),
    path(_("kpis/<str:code>/data.csv"), views.kpi_csv, name="kpi_csv"),
    path(_("governance/"), views.governance, name="governance"),
    path(_("report/<int:year>/"), views.annual_report, name="report"),
    # The English addresses under /ro/ that served these pages before (bookmarks, printed reports, open-data
    # landing pages): 301 to the translated ones.
    *(english_paths_redirect(prefix) for prefix in ("strategy/", "ambitions/", "projects/", "kpis/", "governance/",
                                                     "report/")),
]
