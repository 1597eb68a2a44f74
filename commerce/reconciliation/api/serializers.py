from rest_framework import serializers

from commerce.reconciliation import categories as c


class ReconciliationRunSerializer(serializers.Serializer):
    date_from = serializers.DateField(help_text="The first Asia/Shanghai day to reconcile.")
    date_to = serializers.DateField(required=False, help_text="The last day (default: date_from).")
    tolerance = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        min_value=0,
        max_value=1000,
        required=False,
        help_text="Amounts this close match (default ORDERFLOW_RECONCILIATION_TOLERANCE, 0.50).",
    )


class ReconciliationResolveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the difference is settled.")


class ReconciliationReportFilterSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=list(c.CATEGORIES), required=False)
    status = serializers.ChoiceField(choices=[c.OPEN, c.RESOLVED], required=False)


class ReconciliationExportFilterSerializer(ReconciliationReportFilterSerializer):
    format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv")
    lang = serializers.ChoiceField(choices=["zh", "en"], default="zh")


class ReconciliationLabelSerializer(serializers.Serializer):
    zh = serializers.CharField()
    en = serializers.CharField()


class ReconciliationSourceSerializer(serializers.Serializer):
    gateway = serializers.CharField()
    connection_id = serializers.IntegerField(allow_null=True)
    lines = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)
    summary = serializers.DictField()
    state = serializers.ChoiceField(
        choices=list(c.DAY_STATUSES),
        required=False,
        help_text="complete (fetched); partial (not yet: retried hourly until the cut-off); incomplete (given up).",
    )


class ReconciliationStatementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    day = serializers.DateField()
    kind = serializers.ChoiceField(choices=list(c.STATEMENT_KINDS))
    account = serializers.CharField()
    file_name = serializers.CharField()
    file_format = serializers.CharField(help_text="orderflow (the documented columns) or bank_cn.")
    lines = serializers.IntegerField(help_text="Credits kept (debits are skipped).")
    credit_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    digest = serializers.CharField(help_text="SHA-256 of the file.")
    uploaded_by = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class ReconciliationDaySummarySerializer(serializers.Serializer):
    day = serializers.DateField()
    status = serializers.ChoiceField(choices=list(c.DAY_STATUSES))
    tolerance = serializers.DecimalField(max_digits=10, decimal_places=2)
    checked = serializers.IntegerField()
    differing = serializers.IntegerField()
    difference_rate = serializers.FloatField(allow_null=True)
    totals = serializers.DictField()
    sources = ReconciliationSourceSerializer(many=True)
    runs = serializers.IntegerField()
    run_by = serializers.CharField()
    finished_at = serializers.DateTimeField()
    fetch_attempts = serializers.IntegerField(help_text="Runs that met a bill not fetched (the retries).")
    last_fetch_at = serializers.DateTimeField(allow_null=True)
    alerted_at = serializers.DateTimeField(allow_null=True, help_text="When finance was told it stays incomplete.")
    statements = ReconciliationStatementSerializer(many=True, help_text="The day's uploaded statements.")


class ReconciliationDifferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    day = serializers.DateField()
    category = serializers.ChoiceField(choices=list(c.CATEGORIES))
    category_label = ReconciliationLabelSerializer()
    status = serializers.ChoiceField(choices=list(c.DIFFERENCE_STATUSES))
    order_id = serializers.IntegerField(allow_null=True)
    order_number = serializers.CharField(allow_blank=True)
    gateway = serializers.CharField(allow_blank=True)
    out_trade_no = serializers.CharField(allow_blank=True)
    expected_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    actual_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    detail = serializers.DictField()
    ticket_id = serializers.IntegerField(allow_null=True)
    resolution = serializers.CharField(allow_blank=True)
    resolved_by = serializers.CharField(allow_blank=True)
    resolved_at = serializers.DateTimeField(allow_null=True)


class ReconciliationCategoryCountSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=list(c.CATEGORIES))
    # "label" is the answer's key; DRF's metaclass takes declared fields out of the class.
    label = ReconciliationLabelSerializer()  # type: ignore[assignment]
    count = serializers.IntegerField()


class ReconciliationDayReportSerializer(ReconciliationDaySummarySerializer):
    open = serializers.IntegerField()
    by_category = ReconciliationCategoryCountSerializer(many=True)
    differences = ReconciliationDifferenceSerializer(many=True)


class ReconciliationStatementUploadSerializer(serializers.Serializer):
    day = serializers.DateField(help_text="The Asia/Shanghai day the statement covers; every row must be of it.")
    kind = serializers.ChoiceField(choices=list(c.STATEMENT_KINDS), help_text="bank (transfers) or cod (remittance).")
    account = serializers.CharField(max_length=64, help_text="The bank account or courier: one statement each a day.")
    file = serializers.FileField(
        help_text="CSV, at most 2 MB / 20,000 rows: header date,amount[,currency,reference,memo,payer,serial] "
        "(UTF-8), or a Chinese bank export (交易日期, 收入金额/贷方金额, …; GBK or UTF-8)."
    )


class ReconciliationStatementFilterSerializer(serializers.Serializer):
    day = serializers.DateField(required=False, help_text="The day's statements (default: the latest 100).")


class ReconciliationStatementUploadedSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["created", "replaced", "unchanged"])
    statement = ReconciliationStatementSerializer()
    reconciled = ReconciliationDaySummarySerializer(
        allow_null=True, help_text="The day re-run with the statement (null: the day was not reconciled yet)."
    )
