from django.urls import path

from . import distributors, views

urlpatterns = [
    path("p/<slug:project>/manage/commission/", views.plan, name="money_plan"),
    path("p/<slug:project>/manage/penalty/", views.penalty, name="money_penalty"),
    path("p/<slug:project>/manage/figures/", views.figures, name="money_figures"),
    path("p/<slug:project>/me/statement/", views.statement, name="money_statement"),
    path("p/<slug:project>/manage/distributors/", distributors.statement, name="money_distributor"),
    path("p/<slug:project>/manage/distributors.xlsx", distributors.statement_export, name="money_distributor_export"),
    path("p/<slug:project>/manage/distributors.pdf", distributors.statement_pdf, name="money_distributor_pdf"),
    path("p/<slug:project>/agent/statement/", distributors.agent_statement, name="agent_statement"),
    path("p/<slug:project>/agent/statement.xlsx", distributors.agent_statement_export, name="agent_statement_export"),
    path("p/<slug:project>/agent/statement.pdf", distributors.agent_statement_pdf, name="agent_statement_pdf"),
    path("p/<slug:project>/manage/statements.pdf", views.month_statements_pdf, name="money_month_statements_pdf"),
    path("p/<slug:project>/me/statement.pdf", views.statement_pdf, name="money_statement_pdf"),
    path("p/<slug:project>/me/statement.xlsx", views.statement_export, name="money_statement_export"),
]
