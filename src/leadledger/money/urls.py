from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:project>/manage/commission/", views.plan, name="money_plan"),
    path("p/<slug:project>/manage/penalty/", views.penalty, name="money_penalty"),
    path("p/<slug:project>/me/statement/", views.statement, name="money_statement"),
    path("p/<slug:project>/me/statement.pdf", views.statement_pdf, name="money_statement_pdf"),
    path("p/<slug:project>/me/statement.xlsx", views.statement_export, name="money_statement_export"),
]
