from django.urls import path

from . import views

urlpatterns = [
    path("risk/reviews/", views.ReviewListApi.as_view(), name="risk-review-list"),
    path("risk/reviews/<int:held_order_id>/approve/", views.ReviewApproveApi.as_view(), name="risk-review-approve"),
    path("risk/reviews/<int:held_order_id>/reject/", views.ReviewRejectApi.as_view(), name="risk-review-reject"),
    path(
        "risk/reviews/<int:held_order_id>/blacklist/", views.ReviewBlacklistApi.as_view(), name="risk-review-blacklist"
    ),
    path("risk/rules/", views.RuleListApi.as_view(), name="risk-rule-list"),
    path("risk/rules/<int:risk_rule_id>/", views.RuleDetailApi.as_view(), name="risk-rule-detail"),
    path("risk/blacklist/", views.BlacklistListApi.as_view(), name="risk-blacklist-list"),
    path("risk/blacklist/<int:blacklist_entry_id>/", views.BlacklistDetailApi.as_view(), name="risk-blacklist-detail"),
]
