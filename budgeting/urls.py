from django.urls import path

from budgeting import views

app_name = "budgeting"

urlpatterns = [
    path("budgeting/", views.index, name="index"),
    path("budgeting/import/", views.import_edition, name="import"),
    path("budgeting/<slug:slug>/", views.edition_detail, name="edition"),
    path("budgeting/<slug:slug>/projects/", views.project_list, name="projects"),
    path("budgeting/<slug:slug>/projects/<int:number>/", views.project_detail, name="project"),
    path("budgeting/<slug:slug>/projects/<int:number>/edit/", views.edit_project, name="edit_project"),
    path("budgeting/<slug:slug>/projects/<int:number>/photos/", views.add_photo, name="add_photo"),
    path("budgeting/<slug:slug>/projects/<int:number>/withdraw/", views.withdraw, name="withdraw"),
    path("budgeting/<slug:slug>/projects/<int:number>/support/", views.support, name="support"),
    path("budgeting/<slug:slug>/projects/<int:number>/comments/", views.comment, name="comment"),
    path("budgeting/<slug:slug>/propose/", views.propose, name="propose"),
    path("budgeting/<slug:slug>/vote/", views.vote, name="vote"),
    path("budgeting/<slug:slug>/vote/code/", views.vote_with_code, name="vote_code"),
    path("budgeting/<slug:slug>/results/", views.results, name="results"),
    path("budgeting/<slug:slug>/review/", views.review_list, name="review_list"),
    path("budgeting/<slug:slug>/review/<int:number>/", views.review, name="review"),
    path("budgeting/<slug:slug>/paper/", views.paper_ballot, name="paper"),
    path("budgeting/<slug:slug>/manage/", views.manage, name="manage"),
]
