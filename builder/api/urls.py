from django.urls import path

from . import views

urlpatterns = [
    path("catalog/", views.CatalogApi.as_view(), name="catalog"),
    path("flows/", views.FlowListCreateApi.as_view(), name="flow-list"),
    path("flows/validate/", views.FlowValidateApi.as_view(), name="flow-validate"),
    path("flows/<int:flow_id>/", views.FlowDetailApi.as_view(), name="flow-detail"),
    path("flows/<int:flow_id>/publish/", views.FlowPublishApi.as_view(), name="flow-publish"),
    path("flows/<int:flow_id>/duplicate/", views.FlowDuplicateApi.as_view(), name="flow-duplicate"),
    path("flows/<int:flow_id>/versions/", views.FlowVersionListApi.as_view(), name="flow-versions"),
    path("flows/<int:flow_id>/versions/<int:number>/", views.FlowVersionDetailApi.as_view(), name="flow-version"),
    path("flows/<int:flow_id>/diff/", views.FlowDiffApi.as_view(), name="flow-diff"),
    path("flows/<int:flow_id>/rollback/", views.FlowRollbackApi.as_view(), name="flow-rollback"),
    path("flows/<int:flow_id>/enable/", views.FlowEnableApi.as_view(), name="flow-enable"),
    path("pickers/<slug:kind>/", views.PickerApi.as_view(), name="pickers"),
    path("flows/<int:flow_id>/disable/", views.FlowDisableApi.as_view(), name="flow-disable"),
]
