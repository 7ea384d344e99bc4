from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:project>/agent/", views.agent_home, name="agent_home"),
    path("p/<slug:project>/agent/register/", views.agent_register, name="agent_register"),
    path("p/<slug:project>/agent/code/<int:seq>/", views.agent_code, name="agent_code"),
    path("p/<slug:project>/agent/slip/<int:seq>/", views.agent_slip, name="agent_slip"),
    path("p/<slug:project>/agent/slip/<int:seq>/pdf/", views.agent_slip_pdf, name="agent_slip_pdf"),
    path("p/<slug:project>/channel/escort/", views.escort_confirm, name="escort_confirm"),
    path("p/<slug:project>/channel/slip/<int:seq>/", views.escort_slip, name="escort_slip"),
    path("p/<slug:project>/channel/slip/<int:seq>/pdf/", views.escort_slip_pdf, name="escort_slip_pdf"),
]
