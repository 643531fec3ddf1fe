"""CSV/XLSX import and export of the catalog. The ``load_gi_register`` command uses these too."""

import re
from datetime import date

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from import_export import fields, widgets

from gi_catalog.choices import DatePrecision
from gi_catalog.models import (
    GIAuthorization,
    GIProduct,
    OnboardingApplication,
    PromotionActivity,
    Seller,
)
from portal.dates import DateTextError, parse_date
from portal.excel import thai_tax_id
from portal.importing import ManyToManyWidget, PortalResource, own_copies
from portal.models import Province

PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


class PartialDateField(fields.Field):
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``: the date and how precise the source was."""

    def __init__(self, *, attribute, precision_attribute, column_name):
        super().__init__(attribute=attribute, column_name=column_name)
        self.precision_attribute = precision_attribute

    def clean(self, row, **kwargs):
        """A whole date as ``portal.dates.parse_date`` reads it; a year or a month of a year
        (``YYYY``, ``YYYY-MM``) with its year in BE or CE alike."""
        value = row[self.column_name]
        if isinstance(value, date):
            return parse_date(value), DatePrecision.DAY
        value = str(value or "").strip()
        if not value:
            return None, DatePrecision.DAY
        match = PARTIAL_DATE.match(value)
        if match is None or match[3]:
            return parse_date(value), DatePrecision.DAY
        year, month = match[1], match[2]
        try:
            parsed = parse_date(f"{year}-{month or 1}-1")
        except DateTextError as error:
            raise ValueError(
                _("“%(value)s” is not a date: write YYYY-MM-DD, YYYY-MM or YYYY.")
                % {"value": value}
            ) from error
        return parsed, DatePrecision.MONTH if month else DatePrecision.YEAR

    def save(self, instance, row, is_m2m=False, **kwargs):
        value, precision = self.clean(row, **kwargs)
        setattr(instance, self.attribute, value)
        setattr(instance, self.precision_attribute, precision)

    def export(self, instance, **kwargs):
        value = getattr(instance, self.attribute)
        if value is None:
            return ""
        precision = getattr(instance, self.precision_attribute)
        return value.strftime(
            {DatePrecision.YEAR: "%Y", DatePrecision.MONTH: "%Y-%m"}.get(precision, "%Y-%m-%d")
        )


def find_gi_product(value: str) -> GIProduct:
    """A GI product by its registration number, else by its exact Thai or English name."""
    value = str(value).strip()
    for lookup in (
        Q(registration_number=value),
        Q(name_th=value),
        Q(name_en__iexact=value),
    ):
        matches = list(GIProduct.objects.filter(lookup)[:2])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValueError(
                _("“%(value)s” matches several GI products: give its registration number.")
                % {"value": value}
            )
    raise ValueError(
        _(
            "No GI product “%(value)s” in the catalog: give its registration number, "
            "or its Thai or English name exactly as in the catalog."
        )
        % {"value": value}
    )


def gi_product_key(product: GIProduct) -> str:
    return product.registration_number or product.name_th or product.name_en


class GIProductWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(GIProduct, **kwargs)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        return find_gi_product(value)

    def render(self, value, obj=None, **kwargs):
        return gi_product_key(value) if value else ""


class GIProductsWidget(ManyToManyWidget):
    """GI products separated by ``;``, each by registration number or exact name."""

    def __init__(self, **kwargs):
        super().__init__(GIProduct, separator=";", **kwargs)
        self._found: dict[str, list] = {}  # per cell, for one import: a row is read twice

    def clean(self, value, row=None, **kwargs):
        """The products of the cell, as a list; each distinct cell is looked up once per
        import (a file names the same few products on many rows)."""
        text = str(value or "")
        if text not in self._found:
            parts = [part.strip() for part in text.split(self.separator) if part.strip()]
            errors, products = [], {}
            for part in parts:
                try:
                    product = find_gi_product(part)
                except ValueError as error:
                    errors.append(str(error))
                else:
                    products[product.pk] = product
            if errors:
                raise ValueError(" ".join(errors))
            if len(self._found) >= 4096:
                self._found.clear()
            self._found[text] = list(products.values())
        return list(self._found[text])

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(gi_product_key(product) for product in value.all())


class TaxIdWidget(widgets.CharWidget):
    """Accepts dashes and spaces, and numbers a spreadsheet stored as numbers (its lost leading 0
    restored where the check digit proves it: ``portal.excel.thai_tax_id``)."""

    def clean(self, value, row=None, **kwargs):
        return thai_tax_id(value)


class SellerByTaxIdWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(Seller, field="tax_id", **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = TaxIdWidget().clean(value)
        if not value:
            return None
        try:
            return Seller.objects.get(tax_id=value)
        except Seller.DoesNotExist as error:
            raise ValueError(
                _("No seller with tax / ID number “%(value)s”: import or add the seller first.")
                % {"value": value}
            ) from error


def fields_changed_by_people(product: GIProduct) -> set[str]:
    """Fields a signed-in person set on this product (form or admin import), from its history.

    Loads of the reference list run without a user, so their history rows are left out.
    """
    changed: set[str] = set()
    records = list(product.history.order_by("history_date", "history_id"))
    for previous, record in zip([None, *records], records, strict=False):
        if record.history_user_id is None:
            continue
        if previous is None:
            changed.update(
                field.attname
                for field in record.instance_type._meta.concrete_fields
                if getattr(record, field.attname, None) not in (None, "")
            )
        else:
            changed.update(record.diff_against(previous).changed_fields)
    return changed


class GIProductResource(PortalResource):
    """The GI list: keyed on the registration number, else (English or Thai name, provinces)."""

    #: Empty means "not found" in the source, so it never erases a value an official filled in.
    KEEP_WHEN_EMPTY = ("registration_number", "name_th", "name_en", "registered_on")

    province_codes = fields.Field(
        attribute="provinces",
        column_name="province_codes",
        widget=ManyToManyWidget(Province, field="code", separator=";"),
    )
    province_names_en = fields.Field(column_name="province_names_en", readonly=True)
    registered_on = PartialDateField(
        attribute="registered_on",
        precision_attribute="registered_on_precision",
        column_name="registered_on",
    )

    optional_columns = ("holder", "story", "data_source")

    template_example = {
        "registration_number": "สช 49100001",
        "name_th": "ข้าวหอมมะลิทุ่งกุลาร้องไห้",
        "name_en": "Thung Kula Rong-Hai Hom Mali rice",
        "category": "agricultural",
        "province_codes": "TH-45;TH-32",
        "origin": "thai",
        "registered_on": date(2006, 4, 28),
        "source_url": "https://www.ipthailand.go.th/",
    }

    class Meta(PortalResource.Meta):
        model = GIProduct
        # All the columns the natural key may use: the lookup itself is get_instance() below
        # (a blank registration number must never match every product without one).
        import_id_fields = ("registration_number", "name_en", "name_th", "province_codes")
        fields = (
            "registration_number",
            "name_th",
            "name_en",
            "category",
            "province_codes",
            "province_names_en",
            "origin",
            "registered_on",
            "holder",
            "story",
            "source_url",
            "data_source",
        )
        export_order = fields

    def __init__(self, *, data_source: str = "", **kwargs):
        super().__init__(**kwargs)
        self.data_source = data_source
        self._typed_by_people: set[str] = set()

    def key_columns(self) -> list[str]:
        return ["registration_number", "name_en", "name_th", "province_codes"]

    @staticmethod
    def _province_set(row) -> frozenset[str]:
        return frozenset(
            code.strip() for code in str(row.get("province_codes") or "").split(";") if code.strip()
        )

    def row_key(self, row) -> tuple:
        number = str(row.get("registration_number") or "").strip()
        if number:
            return ("registration_number", number)
        provinces = tuple(sorted(self._province_set(row)))
        for column in ("name_en", "name_th"):
            name = str(row.get(column) or "").strip()
            if name:
                return (column, name.casefold(), provinces)
        return ()

    def get_queryset(self):
        return GIProduct.objects.prefetch_related("provinces")

    def get_instances(self, rows: list) -> list:
        """``get_instance`` for a chunk's rows at once (the import engine asks): the products
        their registration numbers or names can find, in three queries (the names compared as
        the database compares them) instead of up to two per row."""
        numbers = {str(row.get("registration_number") or "").strip() for row in rows} - {""}
        names_th = {str(row.get("name_th") or "").strip() for row in rows} - {""}
        names_en = {str(row.get("name_en") or "").strip() for row in rows} - {""}
        upper = {}
        if names_en:
            with connection.cursor() as cursor:
                cursor.execute("SELECT x, UPPER(x) FROM unnest(%s::text[]) AS x", [list(names_en)])
                upper = dict(cursor.fetchall())
        found = (
            GIProduct.objects.annotate(name_en_upper=Upper("name_en"))
            .filter(
                Q(registration_number__in=numbers)
                | Q(name_th__in=names_th)
                | Q(name_en_upper__in=set(upper.values()))
            )
            .prefetch_related("provinces")
        )
        candidates = list(found)
        by_number = {p.registration_number: p for p in candidates if p.registration_number}
        return own_copies([self._instance_among(row, candidates, by_number, upper) for row in rows])

    def _instance_among(self, row, candidates, by_number, upper):
        """What ``get_instance`` finds for ``row`` among ``candidates`` (in the model's order)."""
        number = str(row.get("registration_number") or "").strip()
        if number in by_number:
            return by_number[number]
        # The English name first, then the Thai one: an official may have corrected either.
        provinces = self._province_set(row)
        for column in ("name_en", "name_th"):
            name = str(row.get(column) or "").strip()
            if not name:
                continue
            for candidate in candidates:
                matches = (
                    candidate.name_en_upper == upper.get(name)
                    if column == "name_en"
                    else candidate.name_th == name
                )
                if (
                    matches
                    and {p.code for p in candidate.provinces.all()} == provinces
                    and (not number or not candidate.registration_number)
                ):
                    return candidate
        return None

    def get_instance(self, instance_loader, row):
        return self.get_instances([row])[0]  # one rule for a row and for a chunk

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if (
            field.attribute in self.KEEP_WHEN_EMPTY
            and not str(row.get(field.column_name) or "").strip()
            and getattr(instance, field.attribute)
        ):
            return
        if field.attribute in self._typed_by_people and getattr(instance, field.attribute):
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        # Loading the reference list (data_source set) never overwrites what a person entered.
        self._typed_by_people = (
            fields_changed_by_people(instance) if self.data_source and instance.pk else set()
        )
        if self.data_source and not str(row.get("data_source") or "").strip():
            instance.data_source = self.data_source
        super().import_instance(instance, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        """Provinces are a many-to-many column: background import jobs must save row by row."""
        super().save_m2m(instance, row, **kwargs)

    def dehydrate_province_names_en(self, product):
        return ";".join(province.name_en for province in product.provinces.all())


class SellerResource(PortalResource):
    tax_id = fields.Field(attribute="tax_id", column_name="tax_id", widget=TaxIdWidget())
    province = fields.Field(
        attribute="province",
        column_name="province_code",
        widget=widgets.ForeignKeyWidget(Province, field="code"),
    )

    optional_columns = (
        "name_en",
        "contact_person",
        "phone",
        "email",
        "address",
        "province_code",
        "tiktok_shop_handle",
        "tiktok_shop_id",
        "notes",
    )

    template_example = {
        "tax_id": "0105556123453",
        "name": "วิสาหกิจชุมชนข้าวหอมมะลิทุ่งกุลา",
        "name_en": "Thung Kula Hom Mali Community Enterprise",
        "kind": "community_enterprise",
        "contact_person": "สมศรี ใจดี",
        "phone": "081 234 5678",
        "email": "seller@example.org",
        "address": "99 หมู่ 1 ตำบลเกษตรวิสัย อำเภอเกษตรวิสัย ร้อยเอ็ด 45150",
        "province_code": "TH-45",
        "tiktok_shop_handle": "thungkula_rice",
    }

    class Meta(PortalResource.Meta):
        model = Seller
        import_id_fields = ("tax_id",)
        fields = (
            "tax_id",
            "name",
            "name_en",
            "kind",
            "contact_person",
            "phone",
            "email",
            "address",
            "province",
            "tiktok_shop_handle",
            "tiktok_shop_id",
            "notes",
        )
        export_order = fields

    def get_queryset(self):
        return Seller.objects.select_related("province")

    def before_import_row(self, row, row_number=None, **kwargs):
        if "tax_id" in row:
            row["tax_id"] = TaxIdWidget().clean(row["tax_id"])
        super().before_import_row(row, row_number=row_number, **kwargs)


class GIAuthorizationResource(PortalResource):
    seller = fields.Field(
        attribute="seller", column_name="seller_tax_id", widget=SellerByTaxIdWidget()
    )
    product = fields.Field(attribute="product", column_name="gi_product", widget=GIProductWidget())

    optional_columns = ("valid_until", "note")

    template_example = {
        "certificate_number": "GI-AUTH-2026-00001",
        "seller_tax_id": "0105556123453",
        "gi_product": "สช 49100001",
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2028, 12, 31),
    }

    class Meta(PortalResource.Meta):
        model = GIAuthorization
        import_id_fields = ("certificate_number",)
        fields = ("certificate_number", "seller", "product", "valid_from", "valid_until", "note")
        export_order = fields

    def get_queryset(self):
        return GIAuthorization.objects.select_related("seller", "product")


class PromotionActivityResource(PortalResource):
    seller = fields.Field(
        attribute="seller", column_name="seller_tax_id", widget=SellerByTaxIdWidget()
    )
    products = fields.Field(
        attribute="products", column_name="gi_products", widget=GIProductsWidget()
    )

    optional_columns = ("seller_tax_id", "gi_products", "note", "views", "orders", "gmv_thb")

    template_example = {
        "url": "https://shop.tiktok.com/th/campaign/gi-thailand-2026",
        "kind": "campaign",
        "title": "แคมเปญ GI ไทย ของดีทั่วไทย",
        "held_on": date(2026, 10, 27),
        "seller_tax_id": "0105556123453",
        "gi_products": "สช 49100001",
        "views": 12000,
        "orders": 350,
        "gmv_thb": 105000,
    }

    class Meta(PortalResource.Meta):
        model = PromotionActivity
        import_id_fields = ("url",)
        fields = (
            "url",
            "kind",
            "title",
            "held_on",
            "seller",
            "products",
            "views",
            "orders",
            "gmv_thb",
            "note",
        )
        export_order = fields

    def get_queryset(self):
        return PromotionActivity.objects.select_related("seller").prefetch_related("products")

    def save_m2m(self, instance, row, **kwargs):
        """GI products are a many-to-many column: background import jobs must save row by row."""
        super().save_m2m(instance, row, **kwargs)


class OnboardingApplicationResource(PortalResource):
    """Export only: applications move through the workflow, never through a file."""

    seller_tax_id = fields.Field(attribute="seller__tax_id", column_name="seller_tax_id")
    seller_name = fields.Field(attribute="seller__name", column_name="seller_name")
    products = fields.Field(
        attribute="products", column_name="gi_products", widget=GIProductsWidget()
    )

    class Meta(PortalResource.Meta):
        model = OnboardingApplication
        fields = (
            "seller_tax_id",
            "seller_name",
            "status",
            "products",
            "has_identity_document",
            "has_gi_certificate",
            "has_bank_account",
            "created_at",
            "submitted_at",
            "documents_verified_at",
            "shop_approved_at",
            "live_at",
            "closed_at",
            "rejection_reason",
            "note",
        )
        export_order = fields

    def get_queryset(self):
        return OnboardingApplication.objects.select_related("seller").prefetch_related("products")

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("Onboarding applications are not imported.")
