from django.contrib import admin

from .models import Customer, CustomerWechatIdentity


class WechatIdentityInline(admin.TabularInline):
    model = CustomerWechatIdentity
    extra = 0
    readonly_fields = ("appid", "openid", "source", "first_seen_at", "last_seen_at")
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # they come from verified WeChat sources only


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "email", "credit_level")
    search_fields = ("name", "phone", "email")
    inlines = (WechatIdentityInline,)
