from django.urls import path

from strategy import views

app_name = "strategy"

urlpatterns = [
    path("", views.home, name="home"),
    path("strategy/", views.overview, name="overview"),
    path("ambitions/<int:number>/", views.ambition_detail, name="ambition"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<str:code>/", views.project_detail, name="project"),
    path("kpis/", views.kpi_list, name="kpis"),
    path("kpis/<str:code>/", views.kpi_detail, name="kpi"),
    path("kpis/<str:code>/data.csv", views.kpi_csv, name="kpi_csv"),
    path("governance/", views.governance, name="governance"),
    path("report/<int:year>/", views.annual_report, name="report"),
]
