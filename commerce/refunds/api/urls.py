from django.urls import path

from . import views

urlpatterns = [
    path("refunds/", views.RefundListCreateApi.as_view(), name="refund-list"),
    path("refunds/policy/", views.RefundPolicyApi.as_view(), name="refund-policy"),
    path("refunds/summary/", views.RefundSummaryApi.as_view(), name="refund-summary"),
    path("refunds/bulk-approve/", views.RefundBulkApproveApi.as_view(), name="refund-bulk-approve"),
    path("refunds/filing-link/", views.RefundFilingLinkApi.as_view(), name="refund-filing-link"),
    path("refunds/<int:refund_id>/", views.RefundDetailApi.as_view(), name="refund-detail"),
    path("refunds/<int:refund_id>/evidence/", views.RefundEvidenceApi.as_view(), name="refund-evidence"),
    path(
        "refunds/<int:refund_id>/evidence/<int:evidence_id>/",
        views.RefundEvidenceItemApi.as_view(),
        name="refund-evidence-item",
    ),
    path("refunds/<int:refund_id>/approve/", views.RefundApproveApi.as_view(), name="refund-approve"),
    path("refunds/<int:refund_id>/reject/", views.RefundRejectApi.as_view(), name="refund-reject"),
    path("refunds/<int:refund_id>/cancel/", views.RefundCancelApi.as_view(), name="refund-cancel"),
    path("refunds/<int:refund_id>/retry/", views.RefundRetryApi.as_view(), name="refund-retry"),
    path(
        "refunds/<int:refund_id>/return-received/",
        views.RefundReturnReceivedApi.as_view(),
        name="refund-return-received",
    ),
]
