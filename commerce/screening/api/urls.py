from django.urls import path

from . import views

urlpatterns = [
    path("screening/cases/", views.CaseListApi.as_view(), name="screening-case-list"),
    path("screening/cases/<int:waiting_order_id>/pass/", views.CasePassApi.as_view(), name="screening-case-pass"),
    path("screening/cases/<int:waiting_order_id>/reject/", views.CaseRejectApi.as_view(), name="screening-case-reject"),
    path("screening/rule-set/", views.RuleSetApi.as_view(), name="screening-rule-set"),
]
