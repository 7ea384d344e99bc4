from django.urls import path

from . import firms, keys, team, views

urlpatterns = [
    path("p/<slug:project>/agent/", views.agent_home, name="agent_home"),
    path("p/<slug:project>/agent/register/", views.agent_register, name="agent_register"),
    path("p/<slug:project>/agent/code/<int:seq>/", views.agent_code, name="agent_code"),
    path("p/<slug:project>/agent/slip/<int:seq>/", views.agent_slip, name="agent_slip"),
    path("p/<slug:project>/agent/slip/<int:seq>/pdf/", views.agent_slip_pdf, name="agent_slip_pdf"),
    path("p/<slug:project>/channel/escort/", views.escort_confirm, name="escort_confirm"),
    path("p/<slug:project>/channel/slip/<int:seq>/", views.escort_slip, name="escort_slip"),
    path("p/<slug:project>/channel/slip/<int:seq>/pdf/", views.escort_slip_pdf, name="escort_slip_pdf"),
    path("p/<slug:project>/agent/appeal/<int:seq>/", team.agent_appeal, name="agent_appeal"),
    path("p/<slug:project>/channel/", team.team_home, name="channel_team"),
    path("p/<slug:project>/channel/cases/open/", team.case_open, name="channel_case_open"),
    path("p/<slug:project>/channel/cases/<int:pk>/", team.case_page, name="channel_case"),
    path("p/<slug:project>/channel/cases/<int:pk>/note/", team.case_note, name="channel_case_note"),
    path("p/<slug:project>/channel/cases/<int:pk>/evidence/", team.case_evidence, name="channel_case_evidence"),
    path("p/<slug:project>/channel/cases/<int:pk>/decide/", team.case_decide, name="channel_case_decide"),
    path("p/<slug:project>/channel/cases/<int:pk>/files/<int:file>/", team.case_file, name="channel_case_file"),
    path("p/<slug:project>/channel/signals/mark/", team.signal_mark, name="channel_signal_mark"),
    path("p/<slug:project>/channel/distributors/", firms.firm_list, name="channel_firms"),
    path("p/<slug:project>/channel/distributors/xlsx/", firms.firm_list_xlsx, name="channel_firms_xlsx"),
    path("p/<slug:project>/channel/distributors/<int:pk>/", firms.firm_page, name="channel_firm"),
    path("p/<slug:project>/channel/distributors/<int:pk>/switch/", firms.firm_switch, name="channel_firm_switch"),
    path("p/<slug:project>/channel/api/", keys.keys_home, name="channel_keys"),
    path("p/<slug:project>/channel/api/tokens/", keys.key_issue, name="channel_key_issue"),
    path("p/<slug:project>/channel/api/tokens/<int:pk>/revoke/", keys.key_revoke, name="channel_key_revoke"),
    path("p/<slug:project>/channel/api/webhooks/", keys.webhook_add, name="channel_webhook_add"),
    path("p/<slug:project>/channel/api/webhooks/<int:pk>/stop/", keys.webhook_stop, name="channel_webhook_stop"),
]
