"""Report pages: the dashboard, the SLA and call-centre reports, the monthly agency analysis, and their exports."""
from datetime import date, timedelta
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from casehub.auth.access import roles_required
from casehub.cases.models import Channel
from casehub.directory.models import CaseKind, Category, District
from casehub.directory.services import agency_options, named_options
from casehub.errors import ApiError
from casehub.labels import label, options
from casehub.models import utcnow
from casehub.reports import CITY_READERS, REPORT_READERS
from casehub.reports.dashboard import attach_drills, dashboard, inbox_scope
from casehub.reports.documents import (
    calls_document,
    dashboard_document,
    group_label,
    monthly_columns,
    monthly_document,
    monthly_rows,
    row_name,
    sla_document,
)
from casehub.reports.exports import FORMATS, WRITERS
from casehub.reports.monthly import monthly_analysis
from casehub.reports.queries import GROUP_BY, calls_report, last_refreshed, sla_report
from casehub.reports.rollup import city_today
from casehub.reports.schemas import (
    MonthQuerySchema,
    PeriodQuerySchema,
    SlaQuerySchema,
    load_query,
    report_filters,
    scoped_agency,
)
from casehub.sla.calendar import BusinessCalendar

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.app_template_filter("inbox_url")
def inbox_url(args: dict) -> str:
    """The inbox listing the cases behind a figure (a page links hundreds: url_for once, then plain encoding)."""
    if "inbox_path" not in g:
        g.inbox_path = url_for("cases.inbox")
    return f"{g.inbox_path}?{urlencode(args)}" if args else g.inbox_path


@bp.app_template_filter("drill")
def drill(value, args: dict) -> Markup:
    """A figure as a link to the inbox listing its cases."""
    if "drill_title" not in g:
        g.drill_title = escape(_("List these cases"))
    return Markup(f'<a href="{escape(inbox_url(args))}" title="{g.drill_title}">{escape(value)}</a>')


@bp.app_template_filter("num")
def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


@bp.app_template_filter("pct")
def percentage(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


@bp.app_template_filter("hours")
def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


@bp.app_template_filter("combine")
def combine(first: dict, second: dict) -> dict:
    return first | second


@bp.app_template_filter("channel_label")
def channel_label(value) -> str:
    return label("channel", value)


@bp.context_processor
def report_helpers() -> dict:
    return {"row_name": lambda row: row_name(row, str(get_locale())), "group_label": group_label}


def _query(schema) -> dict:
    """The page's query arguments, the period defaulting to this month so far."""
    today = city_today(utcnow())
    args = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    args |= {key: value for key, value in request.args.items() if value != ""}
    return load_query(schema, args)


def _choices() -> dict:
    """The filter bar's (value, text) lists; agency supervisors do not choose an agency. Every category, the
    retired ones too: their cases stay in the reports."""
    locale = str(get_locale())
    return {
        "agencies": agency_options(current_user, locale=locale),
        "categories": named_options(Category, order_by=(Category.kind, Category.sort_order), locale=locale),
        "districts": named_options(District, order_by=(District.sort_order,), locale=locale),
        "channels": options("channel", Channel), "kinds": options("kind", CaseKind),
        "group_by": [(group_by, group_label(group_by)) for group_by in GROUP_BY],
    }


def _report_page(template: str, load, **context):
    """The report page for the query string's filters; bad filters are named beside them, with no figures."""
    try:
        query, data = load()
    except ApiError as error:
        return render_template(template, error=error, choices=_choices(), data=None, **context), error.status
    return render_template(template, query=query, data=data, choices=_choices(), error=None, **context)


def _export(document, fmt: str, name: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    return Response(WRITERS[fmt](document), mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def _dashboard_data():
    query = _query(PeriodQuerySchema())
    filters = report_filters(query, current_user)
    return query, dashboard(filters, now=utcnow(), calendar=BusinessCalendar.load())


@bp.route("/")
@roles_required(*REPORT_READERS)
def index():
    return _report_page("reports/dashboard.html", _dashboard_data)


@bp.route("/dashboard.<fmt>")
@roles_required(*REPORT_READERS)
def dashboard_export(fmt: str):
    query, data = _dashboard_data()
    return _export(dashboard_document(query, data, str(get_locale())), fmt,
                   f"dashboard-{query['first']}-{query['last']}")


def _sla_data():
    query = _query(SlaQuerySchema())
    filters = report_filters(query, current_user)
    return query, attach_drills(sla_report(filters, query["group_by"]), inbox_scope(filters))


@bp.route("/sla")
@roles_required(*REPORT_READERS)
def sla():
    return _report_page("reports/sla.html", _sla_data, refreshed_at=last_refreshed(city_today(utcnow())))


@bp.route("/sla.<fmt>")
@roles_required(*REPORT_READERS)
def sla_export(fmt: str):
    query, report = _sla_data()
    return _export(sla_document(query, report, str(get_locale())), fmt,
                   f"sla-{query['group_by']}-{query['first']}-{query['last']}")


def _calls_data():
    query = _query(PeriodQuerySchema(only=("first", "last")))
    return query, calls_report(query["first"], query["last"])


@bp.route("/calls")
@roles_required(*CITY_READERS)
def calls():
    return _report_page("reports/calls.html", _calls_data)


@bp.route("/calls.<fmt>")
@roles_required(*CITY_READERS)
def calls_export(fmt: str):
    query, figures = _calls_data()
    return _export(calls_document(query, figures), fmt, f"calls-{query['first']}-{query['last']}")


@bp.route("/monthly")
@roles_required(*REPORT_READERS)
def monthly_index():
    """Choose an agency (managers) and a month; the last month is offered first."""
    if request.args.get("agency") and request.args.get("month"):
        return redirect(url_for("reports.monthly", agency=request.args["agency"], month=request.args["month"]))
    today = city_today(utcnow())
    months = [(today.replace(day=1) - timedelta(days=1)).replace(day=1)]
    while len(months) < 24:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return render_template("reports/monthly_index.html", months=[today.replace(day=1), *months],
                           choices=_choices(), default_month=months[0])


def _analysis(agency: str, month: str):
    query = load_query(MonthQuerySchema(), {"agency": agency, "month": month})
    chosen = scoped_agency(current_user, query["agency"])
    month_start: date = query["month"]
    if month_start > city_today(utcnow()):
        raise ApiError("invalid_query", "Invalid report query: month: this month has not begun yet.", status=422,
                       fields={"month": ["This month has not begun yet."]})
    return monthly_analysis(chosen, month_start, now=utcnow())


@bp.route("/monthly/<agency>/<month>")
@roles_required(*REPORT_READERS)
def monthly(agency: str, month: str):
    analysis = _analysis(agency, month)
    return render_template("reports/monthly.html", analysis=analysis, monthly_rows=monthly_rows(analysis),
                           monthly_columns=monthly_columns())


@bp.route("/monthly/<agency>/<month>.<fmt>")
@roles_required(*REPORT_READERS)
def monthly_export(agency: str, month: str, fmt: str):
    analysis = _analysis(agency, month)
    return _export(monthly_document(analysis, str(get_locale())), fmt, f"monthly-{agency}-{month}")
