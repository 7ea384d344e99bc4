from django.contrib.auth import views as auth_views
from django.urls import path

from . import language, views
from .sign_in import SignInView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/setlang/", language.language_choose, name="set_language"),  # Django's, and the person's (340)
    path("p/<slug:project>/", views.project, name="project"),
    path("p/<slug:project>/customers/<int:pk>/", views.customer, name="customer"),
    path("p/<slug:project>/customers/<int:pk>/show/<str:field>/", views.customer_reveal, name="customer_reveal"),
    path("p/<slug:project>/customers/<int:pk>/erase/", views.customer_erase, name="customer_erase"),
    path("p/<slug:project>/import/", views.imports, name="imports"),
    path("p/<slug:project>/sign-ins/", views.sign_ins, name="sign_ins"),
    path("p/<slug:project>/import/template.xlsx", views.import_template, name="import_template"),
    path("p/<slug:project>/import/<int:pk>/", views.import_job, name="import_job"),
    path("p/<slug:project>/import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("p/<slug:project>/import/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("p/<slug:project>/import/<int:pk>/again/", views.import_again, name="import_again"),
    path("p/<slug:project>/import/<int:pk>/report.csv", views.import_report, name="import_report"),
]
