from django.urls import path

from . import appraisal_views, collection_views, complaint_views, field_views, notice_views, survey_views, views

urlpatterns = [
    path("p/<slug:project>/bench/", views.today, name="bench_today"),
    path("p/<slug:project>/bench/log/", views.log, name="bench_log"),
    path("p/<slug:project>/bench/report/", views.report, name="bench_report"),
    path("p/<slug:project>/bench/team/", views.team, name="bench_team"),
    path("p/<slug:project>/bench/team.xlsx", views.team_xlsx, name="bench_team_xlsx"),
    path("p/<slug:project>/bench/reports.xlsx", views.reports_xlsx, name="bench_reports_xlsx"),
    path("p/<slug:project>/bench/customers/<int:pk>/", views.archive, name="bench_archive"),
    path("p/<slug:project>/bench/team/calendar/", views.calendar, name="bench_calendar"),
    path("p/<slug:project>/bench/reports/<int:pk>/", views.review, name="bench_review"),
    path("p/<slug:project>/bench/reports/<int:pk>.pdf", views.report_pdf, name="bench_report_pdf"),
    path("p/<slug:project>/bench/duties/", views.duties, name="bench_duties"),
    path("p/<slug:project>/bench/duties/<int:pk>/", views.duty_edit, name="bench_duty_edit"),
]

urlpatterns += [
    path("p/<slug:project>/bench/complaints/", complaint_views.complaint_list, name="bench_complaints"),
    path("p/<slug:project>/bench/complaints/<int:pk>/", complaint_views.complaint, name="bench_complaint"),
    path("p/<slug:project>/bench/collections/", collection_views.diary, name="bench_collections"),
    path("p/<slug:project>/bench/collections/reconcile/", collection_views.reconcile, name="bench_reconcile"),
    path("p/<slug:project>/bench/complaints/report/", complaint_views.complaint_report, name="bench_complaint_report"),
    path(
        "p/<slug:project>/bench/complaints/report.xlsx",
        complaint_views.complaint_report_xlsx,
        name="bench_complaint_report_xlsx",
    ),
    path(
        "p/<slug:project>/bench/complaints/report.pdf",
        complaint_views.complaint_report_pdf,
        name="bench_complaint_report_pdf",
    ),
]

urlpatterns += [
    path("p/<slug:project>/bench/notices/", notice_views.notice_list, name="bench_notices"),
    path("p/<slug:project>/bench/notices/<int:pk>/", notice_views.notice, name="bench_notice"),
]

urlpatterns += [path("p/<slug:project>/bench/surveys/", survey_views.survey_list, name="bench_surveys")]
urlpatterns += [
    path("p/<slug:project>/bench/team/appraisals/", appraisal_views.appraisal_list, name="bench_appraisals")
]
urlpatterns += [
    path("p/<slug:project>/bench/complaints/hours/", complaint_views.service_hours, name="bench_service_hours")
]
urlpatterns += [
    path("p/<slug:project>/bench/field/", field_views.field_log, name="bench_field"),
    path("p/<slug:project>/bench/field/traders/", field_views.traders, name="bench_field_traders"),
]
