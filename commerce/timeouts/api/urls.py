from django.urls import path

from . import views

urlpatterns = [
    path("order-timeouts/", views.TimeoutRuleListApi.as_view(), name="order-timeout-list"),
    path("order-timeouts/<int:rule_id>/", views.TimeoutRuleDetailApi.as_view(), name="order-timeout-detail"),
]
